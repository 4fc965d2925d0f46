package io.babelflow.streams.specialization.stage;

/**
 * Thresholds of the {@link StageDetector} (how each was chosen: docs/signals.md, "Stages").
 *
 * @param transitionMaxTransferRatio Translation → Transition by the neurons needs the new language's
 *                                   transfer measure at most this
 * @param transitionMinShare         ... and a middle-layer working-language share at least this
 * @param stableMinJaccard           Transition → Stabilization by the neurons needs the model-wide Jaccard
 *                                   overlap of the language's neuron set with the previous window at least this
 * @param stableMinShare             ... a middle-layer working-language share at least this
 * @param stableMaxAbsSlope          ... and |held-out loss slope| (nats per 1000 steps) at most this
 * @param consecutive                observations in a row a neuron/share condition must hold before the
 *                                   stage advances (hysteresis)
 * @param loss                       the held-out loss trajectory's thresholds (its own smoothing replaces
 *                                   the streak for the loss evidence)
 */
public record StageThresholds(double transitionMaxTransferRatio, double transitionMinShare,
        double stableMinJaccard, double stableMinShare, double stableMaxAbsSlope, int consecutive,
        LossTrajectory.Parameters loss) {

    /**
     * Calibrated on the recorded babel-tower run (docs/signals.md, "Calibration"): the share thresholds lie
     * above the largest middle-layer share a new language showed while its weight was still 0 (0.82), so
     * the share route cannot fire on a language the model has not been trained on.
     */
    public static final StageThresholds DEFAULTS =
            new StageThresholds(0.5, 0.85, 0.7, 0.85, 0.02, 3, LossTrajectory.Parameters.DEFAULTS);

    public StageThresholds {
        if (consecutive < 1) {
            throw new IllegalArgumentException("consecutive must be at least 1, was " + consecutive);
        }
        if (stableMaxAbsSlope < 0) {
            throw new IllegalArgumentException("stableMaxAbsSlope must be >= 0, was " + stableMaxAbsSlope);
        }
        if (loss == null) {
            throw new IllegalArgumentException("loss trajectory parameters are required");
        }
    }

    /** The neuron/share thresholds with the default loss-trajectory parameters. */
    public StageThresholds(double transitionMaxTransferRatio, double transitionMinShare, double stableMinJaccard,
            double stableMinShare, double stableMaxAbsSlope, int consecutive) {
        this(transitionMaxTransferRatio, transitionMinShare, stableMinJaccard, stableMinShare, stableMaxAbsSlope,
                consecutive, LossTrajectory.Parameters.DEFAULTS);
    }

    public StageThresholds withLoss(LossTrajectory.Parameters value) {
        return new StageThresholds(transitionMaxTransferRatio, transitionMinShare, stableMinJaccard, stableMinShare,
                stableMaxAbsSlope, consecutive, value);
    }
}
