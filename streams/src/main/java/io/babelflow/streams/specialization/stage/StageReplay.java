package io.babelflow.streams.specialization.stage;

import io.babelflow.events.Stage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The live app's stage logic run offline over a run's evidence, one eval point at a time, in the order
 * the app folds it: introductions (weights in force), the held-out loss, the working-language share,
 * then the closed statistics window that triggers the {@link StageDetector}. Used to calibrate the
 * thresholds on recorded runs and to keep a recorded run's analysis as a regression test.
 */
public final class StageReplay {
    private StageReplay() {
    }

    /**
     * The evidence of one eval point (one HELDOUT window).
     *
     * @param introduced  language to the step its weight in force was first above 0, as known by then
     * @param loss        held-out loss per language
     * @param middleShare middle-layer working-language share per new language (absent: no reading)
     * @param specific    LAPE-specific neurons per language of the window (a language absent had no tokens)
     * @param transfer    model-wide transfer measure per new language
     * @param jaccard     model-wide Jaccard with the previous window per language
     */
    public record EvalPoint(long step, Map<String, Long> introduced, Map<String, Double> loss,
            Map<String, Double> middleShare, Map<String, Integer> specific, Map<String, Double> transfer,
            Map<String, Double> jaccard) {
    }

    /** A new language at an eval point: what the detector saw and the stage after it (null: none yet). */
    public record Row(long step, String language, double loss, LossTrajectory.Reading trajectory, double share,
            double transfer, double jaccard, Stage stage) {
    }

    public record Result(List<Row> rows, List<StageTimeline.Entry> changes) {
        /** The step a language entered {@code stage}, or -1. */
        public long enteredAt(String language, Stage stage) {
            return changes.stream().filter(c -> c.language().equals(language) && c.to() == stage)
                    .mapToLong(StageTimeline.Entry::step).findFirst().orElse(-1);
        }
    }

    public static Result run(RunLanguages roles, List<EvalPoint> points, StageThresholds thresholds, int slopePoints) {
        StageDetector detector = new StageDetector(thresholds);
        LossHistory history = LossHistory.EMPTY;
        RunSummary summary = RunSummary.empty("replay", roles);
        Set<String> introduced = new HashSet<>();
        List<Row> rows = new ArrayList<>();
        StageTimeline timeline = StageTimeline.EMPTY;
        for (EvalPoint point : points) {
            for (Map.Entry<String, Long> intro : point.introduced().entrySet()) {
                if (introduced.add(intro.getKey())) {
                    history = history.withWeights(intro.getValue(), Map.of(intro.getKey(), 1.0), thresholds.loss());
                }
            }
            history = history.with(point.step(), point.loss(), slopePoints, thresholds.loss());
            for (String language : point.loss().keySet()) {
                List<LossSlope.Point> kept = history.of(language);
                summary = summary.withLoss(new StageEvidence.LossEvidence(point.step(), language,
                        point.loss().get(language), LossSlope.perThousandSteps(kept), kept.size(),
                        history.trajectory(language)), 0);
            }
            for (Map.Entry<String, Double> share : point.middleShare().entrySet()) {
                summary = summary.withShare(new StageEvidence.ShareEvidence(point.step(), share.getKey(),
                        share.getValue(), Map.of()), 0);
            }
            StageEvidence.WindowEvidence window = new StageEvidence.WindowEvidence(point.step(), point.step(), true,
                    List.of(), Double.NaN, 0, 0, point.specific(), Map.of(), point.jaccard(), Map.of(), true,
                    point.transfer());
            for (String language : roles.newLanguages()) {
                Optional<StageObservation> seen = StageObservation.of(window, summary, language);
                if (seen.isPresent()) {
                    StageDetector.Outcome outcome = detector.observe(summary.stage(language), seen.get());
                    summary = summary.withStage(language, outcome.state());
                    StageDetector.Change change = outcome.change();
                    if (change != null) {
                        timeline = timeline.with(new StageTimeline.Entry(language, change.from(), change.to(),
                                point.step(), seen.get().signals(), change.reason(), 0));
                    }
                }
                rows.add(new Row(point.step(), language, point.loss().getOrDefault(language, Double.NaN),
                        history.trajectory(language), summary.middleShare(language),
                        point.transfer().getOrDefault(language, Double.NaN),
                        point.jaccard().getOrDefault(language, Double.NaN), summary.stage(language).stage()));
            }
        }
        return new Result(rows, timeline.changes());
    }
}
