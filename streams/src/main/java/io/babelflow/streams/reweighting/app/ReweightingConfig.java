package io.babelflow.streams.reweighting.app;

import java.time.Duration;
import java.util.Objects;

/**
 * Parameters of the reweighting app (not Kafka client settings: those go to
 * {@link ReweightingApp#streamsConfig}). Policies and their guardrails are per run, from RunStarted.
 *
 * @param appName           value of the dead-letter header naming the app
 * @param stepGrace         wall-clock time after a step's first rank record before the step is merged
 *                          over the ranks that did report (a rank that died or lost its telemetry)
 * @param punctuateInterval how often the wall-clock punctuator closes overdue steps and retries
 *                          targets the guardrails held back
 */
public record ReweightingConfig(String appName, Duration stepGrace, Duration punctuateInterval) {

    public static final ReweightingConfig DEFAULTS =
            new ReweightingConfig("reweighting", Duration.ofSeconds(30), Duration.ofSeconds(1));

    public ReweightingConfig {
        Objects.requireNonNull(appName, "appName");
        if (stepGrace.isNegative() || punctuateInterval.isNegative() || punctuateInterval.isZero()) {
            throw new IllegalArgumentException("stepGrace must be >= 0 and punctuateInterval > 0");
        }
    }

    public ReweightingConfig withStepGrace(Duration value) {
        return new ReweightingConfig(appName, value, punctuateInterval);
    }

    public ReweightingConfig withPunctuateInterval(Duration value) {
        return new ReweightingConfig(appName, stepGrace, value);
    }
}
