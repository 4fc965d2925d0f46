package io.babelflow.streams.reweighting.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.ReweightingPolicy;
import io.babelflow.streams.reweighting.StateJson;
import io.babelflow.streams.reweighting.StepSignal;
import io.babelflow.streams.reweighting.Weights;
import java.util.Map;
import java.util.Optional;

/**
 * The baseline: one fixed mixture, proposed once at the first step. With the run's own initial
 * weights that proposal changes nothing and no update is sent.
 */
public final class StaticPolicy implements ReweightingPolicy {
    public static final String NAME = "static";

    private final Map<String, Double> weights;
    private boolean proposed;

    record State(boolean proposed) {
    }

    public StaticPolicy(Map<String, Double> weights) {
        this.weights = Weights.normalised(weights);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> onStep(StepSignal signal) {
        if (proposed) {
            return Optional.empty();
        }
        proposed = true;
        return Optional.of(new Decision(weights, "static: fixed weights " + Weights.format(weights), signal.step()));
    }

    @Override
    public JsonNode snapshot() {
        return StateJson.tree(new State(proposed));
    }

    @Override
    public void restore(JsonNode state) {
        proposed = StateJson.read(state, State.class).proposed();
    }
}
