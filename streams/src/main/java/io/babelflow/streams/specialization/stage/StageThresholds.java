package io.babelflow.streams.specialization.stage;

/**
 * Thresholds of the {@link StageDetector}.
 *
 * @param transitionMaxTransferRatio Translation → Transition needs transferring / specific neurons of
 *                                   the new language at most this
 * @param transitionMinShare         ... and a middle-layer working-language share at least this
 * @param stableMinJaccard           Transition → Stabilization needs the model-wide Jaccard overlap of
 *                                   the language's neuron set with the previous window at least this
 * @param stableMinShare             ... a middle-layer working-language share at least this
 * @param stableMaxAbsSlope          ... and |held-out loss slope| (nats per 1000 steps) at most this
 * @param consecutive                observations in a row a condition must hold before the stage
 *                                   advances (hysteresis)
 */
public record StageThresholds(double transitionMaxTransferRatio, double transitionMinShare,
        double stableMinJaccard, double stableMinShare, double stableMaxAbsSlope, int consecutive) {

    public static final StageThresholds DEFAULTS = new StageThresholds(0.5, 0.35, 0.7, 0.5, 0.02, 3);

    public StageThresholds {
        if (consecutive < 1) {
            throw new IllegalArgumentException("consecutive must be at least 1, was " + consecutive);
        }
        if (stableMaxAbsSlope < 0) {
            throw new IllegalArgumentException("stableMaxAbsSlope must be >= 0, was " + stableMaxAbsSlope);
        }
    }
}
