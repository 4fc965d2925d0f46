package io.babelflow.ops.signals;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.stage.RunLanguages;
import io.babelflow.streams.specialization.stage.StageReplay;
import io.babelflow.streams.specialization.stage.WorkingLanguageShare;
import io.babelflow.streams.specialization.window.LayerCounts;
import io.babelflow.streams.specialization.window.WindowAnalysis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The specialization app's evidence of a recorded run, computed offline with the app's own classes:
 * per HELDOUT statistics window, LAPE and the transfer measure ({@link WindowAnalysis}), the held-out
 * losses and middle-layer working-language shares of the same eval point, and when each language was
 * introduced (TrainStep weights in force). {@link StageReplay} turns it into stages.
 */
public final class RecordedStages {
    private RecordedStages() {
    }

    /**
     * A recorded run's languages and per-eval-point evidence.
     *
     * @param counts statistics source to window end to layer to merged counts (for the SE of p)
     */
    public record Evidence(RunStarted run, RunLanguages roles, List<StageReplay.EvalPoint> points,
            Map<String, Map<Long, SortedMap<Integer, LayerCounts>>> counts) {
    }

    public static Evidence of(List<? extends SpecificRecord> records, LapeParameters lape) {
        RunStarted run = records.stream().filter(RunStarted.class::isInstance).map(RunStarted.class::cast)
                .findFirst().orElseThrow(() -> new InvalidInputException(
                        "the telemetry has no RunStarted record, so the run's languages are unknown"));
        RunLanguages roles = RunLanguages.of(run);
        Map<String, Long> introduced = new LinkedHashMap<>();
        TreeMap<Long, Map<String, Long>> introducedBy = new TreeMap<>();
        Map<Long, Map<String, Double>> losses = new TreeMap<>();
        Map<Long, Map<String, List<Double>>> shares = new TreeMap<>();
        Map<String, Map<Long, SortedMap<Integer, LayerCounts>>> counts = new TreeMap<>();
        for (SpecificRecord r : records) {
            if (r instanceof TrainStep s) {
                s.getMixtureWeights().forEach((l, w) -> {
                    if (w > 0 && !introduced.containsKey(l)) {
                        introduced.put(l, s.getStep());
                        introducedBy.put(s.getStep(), Map.copyOf(introduced));
                    }
                });
            } else if (r instanceof EvalResult e) {
                losses.computeIfAbsent(e.getStep(), k -> new TreeMap<>()).putAll(e.getLanguageLoss());
            } else if (r instanceof WorkingLanguage w && WorkingLanguageShare.middle(w.getLayer(), w.getLayers())) {
                for (LanguageReading reading : w.getReadings()) {
                    double share = WorkingLanguageShare.share(reading.getAnswerMass(), reading.getProbeLanguage(),
                            roles.primary());
                    if (!Double.isNaN(share)) {
                        shares.computeIfAbsent(w.getStep(), k -> new TreeMap<>())
                                .computeIfAbsent(reading.getProbeLanguage(), k -> new ArrayList<>()).add(share);
                    }
                }
            } else if (r instanceof ActivationStats a) {
                counts.computeIfAbsent(a.getSource().name(), k -> new TreeMap<>())
                        .computeIfAbsent(a.getWindowEnd(), k -> new TreeMap<>())
                        .computeIfAbsent(a.getLayer(), k -> new LayerCounts(a.getNeurons())).add(a);
            }
        }
        WindowAnalysis analysis = new WindowAnalysis(lape);
        List<StageReplay.EvalPoint> points = new ArrayList<>();
        Map<Integer, Map<String, int[]>> previous = Map.of();
        int layers = run.getModel().getLayers();
        for (Map.Entry<Long, SortedMap<Integer, LayerCounts>> window
                : counts.getOrDefault(StatsSource.HELDOUT.name(), Map.of()).entrySet()) {
            long step = window.getKey();
            if (window.getValue().size() < layers || !losses.containsKey(step)) {
                continue; // the recording ended inside this eval point
            }
            var outcome = analysis.analyse(new WindowAnalysis.Window(run.getRunId(), step, step, true, List.of()),
                    window.getValue(), run, previous, true, 0);
            if (outcome.isEmpty()) {
                continue;
            }
            previous = outcome.get().sets();
            var evidence = outcome.get().evidence();
            Map<String, Double> middle = new TreeMap<>();
            shares.getOrDefault(step, Map.of()).forEach((l, v) ->
                    middle.put(l, v.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
            var known = introducedBy.floorEntry(step);
            points.add(new StageReplay.EvalPoint(step, known == null ? Map.of() : known.getValue(), losses.get(step),
                    middle, evidence.specific(), evidence.transfer(), evidence.jaccard()));
        }
        return new Evidence(run, roles, points, counts);
    }
}
