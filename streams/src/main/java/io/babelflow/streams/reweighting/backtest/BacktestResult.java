package io.babelflow.streams.reweighting.backtest;

import io.babelflow.streams.reweighting.GuardrailCounters;
import io.babelflow.streams.reweighting.MixtureDecision;
import java.util.List;
import java.util.Map;

/**
 * What a policy would have done on a recorded run.
 *
 * @param series     one point per recorded training step: the mixture the policy would have had in force
 *                   after that step's telemetry (i.e. for the next step), next to the recorded one
 * @param updates    every update the policy would have sent, with the step at which it was sent
 * @param stageSource where babel-tower's stage signals came from
 * @param unreadableBlocks 1 when the telemetry file ended in a truncated block (replayed up to it), else 0
 */
public record BacktestResult(String runId, String policy, Map<String, String> params, List<String> languages,
                             StageSource stageSource, List<Point> series, List<Update> updates,
                             GuardrailCounters counters, int unreadableBlocks) {

    public BacktestResult {
        params = Map.copyOf(params);
        languages = List.copyOf(languages);
        series = List.copyOf(series);
        updates = List.copyOf(updates);
    }

    /** Where stage signals came from. */
    public enum StageSource {
        /** StageChange events in the input. */
        RECORDED,
        /** None in the input; derived from the loss curves (babel-tower's fallback). */
        DERIVED_FROM_LOSS,
        /** None in the input and the policy does not use stages. */
        NONE
    }

    /**
     * One training step: cumulative tokens, recorded wall time, the policy's mixture version and weights
     * after the step, and the weights the recorded run actually used for the step.
     */
    public record Point(long step, long tokens, long timestampMillis, long version, Map<String, Double> weights,
                        Map<String, Double> recordedWeights) {
    }

    /** An update the policy sent while replaying {@code atStep}. */
    public record Update(long atStep, MixtureDecision decision) {
    }
}
