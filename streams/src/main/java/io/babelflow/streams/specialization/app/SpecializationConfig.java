package io.babelflow.streams.specialization.app;

import io.babelflow.events.StatsSource;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.stage.StageThresholds;
import java.time.Duration;

/**
 * Parameters of the specialization app (not Kafka client settings: those go to
 * {@link SpecializationApp#streamsConfig}).
 *
 * @param appName             value of the dead-letter header naming the app
 * @param lape                LAPE selection parameters
 * @param grace               wall-clock time after a window's first record before it closes incomplete
 * @param punctuateInterval   how often open windows are checked against the grace period
 * @param stages              stage-detector thresholds and hysteresis
 * @param lossSlopePoints     eval points in the held-out loss slope (least squares)
 * @param historyWindows      windows of per-neuron probabilities kept for history queries, per run
 * @param statsSource         which activation statistics LAPE reads: HELDOUT (default; the fixed probe
 *                            text per language at eval points, LAPE's own setting) or TRAIN (the
 *                            training batches of each window; drifts with the model and the mixture)
 */
public record SpecializationConfig(String appName, LapeParameters lape, Duration grace, Duration punctuateInterval,
        StageThresholds stages, int lossSlopePoints, int historyWindows, StatsSource statsSource) {

    public static final SpecializationConfig DEFAULTS = new SpecializationConfig("specialization",
            LapeParameters.DEFAULTS, Duration.ofMinutes(2), Duration.ofSeconds(1), StageThresholds.DEFAULTS, 5, 32,
            StatsSource.HELDOUT);

    public SpecializationConfig {
        if (grace.isNegative() || punctuateInterval.isNegative() || punctuateInterval.isZero()) {
            throw new IllegalArgumentException("grace must be >= 0 and punctuateInterval > 0");
        }
        if (lossSlopePoints < 2) {
            throw new IllegalArgumentException("lossSlopePoints must be at least 2, was " + lossSlopePoints);
        }
        if (historyWindows < 1) {
            throw new IllegalArgumentException("historyWindows must be at least 1, was " + historyWindows);
        }
    }

    public SpecializationConfig withLape(LapeParameters value) {
        return new SpecializationConfig(appName, value, grace, punctuateInterval, stages, lossSlopePoints, historyWindows,
                statsSource);
    }

    public SpecializationConfig withGrace(Duration value) {
        return new SpecializationConfig(appName, lape, value, punctuateInterval, stages, lossSlopePoints, historyWindows,
                statsSource);
    }

    public SpecializationConfig withPunctuateInterval(Duration value) {
        return new SpecializationConfig(appName, lape, grace, value, stages, lossSlopePoints, historyWindows,
                statsSource);
    }

    public SpecializationConfig withStages(StageThresholds value) {
        return new SpecializationConfig(appName, lape, grace, punctuateInterval, value, lossSlopePoints, historyWindows,
                statsSource);
    }

    public SpecializationConfig withLossSlopePoints(int value) {
        return new SpecializationConfig(appName, lape, grace, punctuateInterval, stages, value, historyWindows,
                statsSource);
    }

    public SpecializationConfig withHistoryWindows(int value) {
        return new SpecializationConfig(appName, lape, grace, punctuateInterval, stages, lossSlopePoints, value,
                statsSource);
    }

    public SpecializationConfig withStatsSource(StatsSource value) {
        return new SpecializationConfig(appName, lape, grace, punctuateInterval, stages, lossSlopePoints, historyWindows,
                value);
    }
}
