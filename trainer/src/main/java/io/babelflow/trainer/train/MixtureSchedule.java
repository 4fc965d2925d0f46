package io.babelflow.trainer.train;

import io.babelflow.trainer.config.RunConfig;
import java.util.List;
import java.util.Map;

/**
 * The config's mixture over time (mixture version 0): the languages' initial weights, replaced by
 * each phase's weights from its {@code fromStep} on.
 */
public record MixtureSchedule(Map<String, Double> initial, List<RunConfig.Phase> phases) {

    public static MixtureSchedule of(RunConfig config) {
        return new MixtureSchedule(config.initialWeights(), config.mixture().phases());
    }

    public Map<String, Double> weightsAt(long step) {
        Map<String, Double> weights = initial;
        for (RunConfig.Phase phase : phases) {
            if (phase.fromStep() <= step) {
                weights = phase.weights();
            }
        }
        return weights;
    }
}
