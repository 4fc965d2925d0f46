package io.babelflow.streams.reweighting;

import java.util.Map;
import java.util.Objects;

/**
 * A policy's target mixture: weights over the run's languages (not necessarily normalised), a reason
 * naming the signal values used, and the latest step whose telemetry the policy had seen.
 */
public record Decision(Map<String, Double> weights, String reason, long basedOnStep) {

    public Decision {
        weights = Maps.frozen(weights);
        Objects.requireNonNull(reason, "reason");
    }
}
