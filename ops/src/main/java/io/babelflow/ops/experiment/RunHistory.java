package io.babelflow.ops.experiment;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.StageChange;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.telemetry.TelemetryFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What one run of an experiment recorded, read back from its folder: the trainer's telemetry.avro
 * (held-out loss, tokens, logit lens) and the live files of {@link LiveRecorder} (what the Streams apps
 * said about the run: neuron specialization and stage changes). Steps repeated by a resume keep their last value.
 */
public final class RunHistory {
    /** step -> training tokens up to and including that step, counted from the run's first step. */
    private final TreeMap<Long, Long> tokensAt = new TreeMap<>();
    /** language -> step -> held-out loss. */
    private final Map<String, TreeMap<Long, Double>> heldout = new TreeMap<>();
    /** "layer L, probe lang" -> step -> share of the answer mass on the primary language. */
    private final Map<String, TreeMap<Long, Double>> primaryShare = new TreeMap<>();
    /** language -> window end -> specific neurons over all layers (held-out statistics). */
    private final Map<String, TreeMap<Long, Integer>> specificNeurons = new TreeMap<>();
    /** language -> window end -> transfer ratio, mean over layers. */
    private final Map<String, TreeMap<Long, Double>> transfer = new TreeMap<>();
    private final List<StageChange> stages = new ArrayList<>();

    private RunHistory() {
    }

    public static RunHistory read(Path runDir, String primary) {
        RunHistory h = new RunHistory();
        List<TrainStep> steps = new ArrayList<>();
        for (SpecificRecord e : TelemetryFile.readAll(runDir.resolve("telemetry.avro"))) {
            if (e instanceof TrainStep s) {
                steps.add(s);
            } else if (e instanceof EvalResult r) {
                r.getLanguageLoss().forEach((l, v) -> h.heldout.computeIfAbsent(l, k -> new TreeMap<>()).put(r.getStep(), v));
            } else if (e instanceof WorkingLanguage w) {
                for (LanguageReading reading : w.getReadings()) {
                    double total = reading.getAnswerMass().values().stream().mapToDouble(Double::doubleValue).sum();
                    Double mass = reading.getAnswerMass().get(primary);
                    if (total > 0 && mass != null && !reading.getProbeLanguage().equals(primary)) {
                        h.primaryShare.computeIfAbsent("layer " + w.getLayer() + ", " + reading.getProbeLanguage() + " probes",
                                k -> new TreeMap<>()).put(w.getStep(), mass / total);
                    }
                }
            }
        }
        TreeMap<Long, Long> tokensOfStep = new TreeMap<>();
        steps.forEach(s -> tokensOfStep.put(s.getStep(), s.getTokens()));
        long sum = 0;
        for (Map.Entry<Long, Long> e : tokensOfStep.entrySet()) {
            sum += e.getValue();
            h.tokensAt.put(e.getKey(), sum);
        }
        h.stages.addAll(LiveRecorder.read(runDir.resolve(LiveRecorder.STAGES_FILE), StageChange.class));
        // a window recomputed after a restart replaces the earlier record of the same layer
        Map<String, NeuronSpecialization> latest = new TreeMap<>();
        for (NeuronSpecialization n : LiveRecorder.read(runDir.resolve(LiveRecorder.NEURONS_FILE),
                NeuronSpecialization.class)) {
            if (n.getSource() == StatsSource.HELDOUT) {
                latest.put(n.getWindowEnd() + "/" + n.getLayer(), n);
            }
        }
        Map<String, TreeMap<Long, double[]>> transferSums = new TreeMap<>();
        for (NeuronSpecialization n : latest.values()) {
            n.getSpecificNeurons().forEach((l, ids) -> h.specificNeurons.computeIfAbsent(l, k -> new TreeMap<>())
                    .merge(n.getWindowEnd(), ids.size(), Integer::sum));
            n.getTransferRatio().forEach((l, v) -> {
                double[] sumAndCount = transferSums.computeIfAbsent(l, k -> new TreeMap<>())
                        .computeIfAbsent(n.getWindowEnd(), k -> new double[2]);
                sumAndCount[0] += v;
                sumAndCount[1]++;
            });
        }
        transferSums.forEach((l, byWindow) -> byWindow.forEach((w, sc) ->
                h.transfer.computeIfAbsent(l, k -> new TreeMap<>()).put(w, sc[0] / sc[1])));
        return h;
    }

    /** Held-out loss curve of a language against tokens trained since the run's first step. */
    public List<SeedStats.Point> curve(String language) {
        List<SeedStats.Point> points = new ArrayList<>();
        heldout.getOrDefault(language, new TreeMap<>()).forEach((step, loss) -> {
            Long tokens = tokensAt.get(step);
            if (tokens != null) {
                points.add(new SeedStats.Point(tokens, loss));
            }
        });
        return points;
    }

    public Double finalLoss(String language) {
        TreeMap<Long, Double> m = heldout.get(language);
        return m == null || m.isEmpty() ? null : m.lastEntry().getValue();
    }

    public Map<String, TreeMap<Long, Double>> heldout() {
        return heldout;
    }

    public Map<String, TreeMap<Long, Double>> primaryShare() {
        return primaryShare;
    }

    public Map<String, TreeMap<Long, Integer>> specificNeurons() {
        return specificNeurons;
    }

    public Map<String, TreeMap<Long, Double>> transfer() {
        return transfer;
    }

    public List<StageChange> stages() {
        return stages;
    }

    public long lastStep() {
        return tokensAt.isEmpty() ? -1 : tokensAt.lastKey();
    }
}
