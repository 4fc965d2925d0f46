package io.babelflow.streams.specialization.stage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The signals of one new language at one closed activation window. NaN marks a signal not yet
 * known (no logit-lens reading, fewer than two eval points).
 *
 * @param step          last training step of the window
 * @param transferRatio the language's model-wide {@link io.babelflow.streams.specialization.lape.TransferMeasure}
 *                      (NaN when it activates nothing above the bar)
 * @param workingShare  middle-layer working-language share of the language (latest eval point)
 * @param lossSlope     held-out loss slope of the language, nats per 1000 steps
 * @param jaccard       model-wide Jaccard overlap of the language's neuron set with the previous window
 * @param loss          the language's held-out loss trajectory since its introduction (latest eval
 *                      point; null while the introduction or the loss is unknown)
 */
public record StageObservation(long step, double transferRatio, double workingShare, double lossSlope,
        double jaccard, LossTrajectory.Reading loss) {

    public StageObservation(long step, double transferRatio, double workingShare, double lossSlope, double jaccard) {
        this(step, transferRatio, workingShare, lossSlope, jaccard, null);
    }

    /**
     * What the detector sees of a new language at a closed window: the window's transfer measure and
     * Jaccard, the working-language share of the newest eval point at or before the window, the loss
     * trajectory's phases as they stood at the window ({@link LossTrajectory.Reading#asOf}: evidence of
     * later steps, when a replay or a lagging window lets it arrive first, does not count) and the latest
     * loss slope. Empty when the
     * window says nothing about the language: none of its tokens in it, or not trained on yet (weight 0 in
     * force: its probe text says nothing about learning it).
     */
    public static Optional<StageObservation> of(StageEvidence.WindowEvidence window, RunSummary summary,
            String language) {
        if (!window.specific().containsKey(language)) {
            return Optional.empty();
        }
        LossTrajectory.Reading latest = summary.lossTrajectory(language);
        LossTrajectory.Reading loss = latest == null ? null : latest.asOf(window.windowEnd());
        if (loss != null && loss.phase() == LossTrajectory.Phase.NOT_INTRODUCED) {
            return Optional.empty();
        }
        return Optional.of(new StageObservation(window.windowEnd(),
                window.transfer() == null ? Double.NaN : window.transfer().getOrDefault(language, Double.NaN),
                summary.middleShareAt(language, window.windowEnd()), summary.lossSlope(language),
                window.jaccard().getOrDefault(language, Double.NaN), loss));
    }

    /** The signals a StageChange carries; loss-trajectory steps are NaN until the phase was reached. */
    public Map<String, Double> signals() {
        Map<String, Double> signals = new LinkedHashMap<>();
        signals.put("transferRatio", transferRatio);
        signals.put("workingLanguageShare", workingShare);
        signals.put("heldOutLossSlopePer1000Steps", lossSlope);
        signals.put("jaccardWithPrevious", jaccard);
        if (loss != null) {
            signals.put("introducedAtStep", (double) loss.introducedAt());
            signals.put("systemProportion", loss.proportion());
            signals.put("lossAlpha", loss.alpha());
            signals.put("lossBeta", loss.beta());
            signals.put("lossRelativeSlope", loss.relativeSlope());
            signals.put("lossStalledAtStep", loss.stalled() ? loss.stalledFrom() : Double.NaN);
            signals.put("lossFallingAgainAtStep", loss.fallingAgain() ? loss.fallingAgainFrom() : Double.NaN);
        }
        return signals;
    }
}
