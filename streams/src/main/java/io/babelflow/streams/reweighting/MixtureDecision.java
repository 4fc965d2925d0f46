package io.babelflow.streams.reweighting;

import java.util.Map;

/**
 * A mixture to send to the trainer: everything of a MixtureUpdate but the run id. Versions are
 * strictly increasing per run; weights are normalised and within the guardrails.
 */
public record MixtureDecision(long version, String policy, Map<String, Double> weights, String reason,
                              long basedOnStep, long createdAtMillis) {

    public MixtureDecision {
        weights = Maps.frozen(weights);
    }
}
