package io.babelflow.streams.reweighting.policy;

import io.babelflow.events.EvalResult;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.streams.reweighting.TelemetrySignals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * Per-language reference losses ℓ_ref for the excess-loss policy: fixed targets, or the loss curves of
 * a recorded reference run looked up at the same step (the latest recorded step at or before it;
 * nothing before the curve's first point).
 */
public final class ReferenceLosses {
    private final Map<String, NavigableMap<Long, Double>> curves;
    private final String description;

    private ReferenceLosses(Map<String, NavigableMap<Long, Double>> curves, String description) {
        this.curves = curves;
        this.description = description;
    }

    /** The same target at every step. */
    public static ReferenceLosses constant(Map<String, Double> targets) {
        Map<String, NavigableMap<Long, Double>> curves = new LinkedHashMap<>();
        // one point at the smallest step: every lookup finds it
        targets.forEach((l, v) -> curves.put(l, new TreeMap<>(Map.of(Long.MIN_VALUE, v))));
        return new ReferenceLosses(curves, "targets");
    }

    public static ReferenceLosses curves(Map<String, ? extends Map<Long, Double>> byLanguage, String description) {
        Map<String, NavigableMap<Long, Double>> curves = new LinkedHashMap<>();
        byLanguage.forEach((l, c) -> curves.put(l, new TreeMap<>(c)));
        return new ReferenceLosses(curves, description);
    }

    /** The loss curves of a recorded run (ranks merged per step): training loss or held-out loss. */
    public static ReferenceLosses fromTelemetry(List<? extends SpecificRecord> events, LossSource source,
                                                String description) {
        Map<Long, List<TrainStep>> steps = new TreeMap<>();
        Map<Long, List<EvalResult>> evals = new TreeMap<>();
        for (SpecificRecord e : events) {
            if (e instanceof TrainStep s) {
                steps.computeIfAbsent(s.getStep(), k -> new ArrayList<>()).add(s);
            } else if (e instanceof EvalResult r) {
                evals.computeIfAbsent(r.getStep(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, Map<Long, Double>> curves = new LinkedHashMap<>();
        if (source == LossSource.TRAIN) {
            steps.forEach((step, ranks) -> TelemetrySignals.step(ranks).languageLoss()
                    .forEach((l, v) -> addPoint(curves, l, step, v)));
        } else {
            evals.forEach((step, ranks) -> TelemetrySignals.eval(ranks).heldoutLoss()
                    .forEach((l, v) -> addPoint(curves, l, step, v)));
        }
        return curves(curves, description);
    }

    public static ReferenceLosses fromFile(Path file, LossSource source) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("reference run " + file + " does not exist or is not a file");
        }
        return fromTelemetry(TelemetryFile.readAll(file), source, "run " + file.getFileName());
    }

    private static void addPoint(Map<String, Map<Long, Double>> curves, String language, long step, double loss) {
        if (Double.isFinite(loss) && loss >= 0) {
            curves.computeIfAbsent(language, k -> new TreeMap<>()).put(step, loss);
        }
    }

    public Set<String> languages() {
        return curves.keySet();
    }

    public OptionalDouble at(String language, long step) {
        NavigableMap<Long, Double> curve = curves.get(language);
        Map.Entry<Long, Double> e = curve == null ? null : curve.floorEntry(step);
        return e == null ? OptionalDouble.empty() : OptionalDouble.of(e.getValue());
    }

    public String description() {
        return description;
    }
}
