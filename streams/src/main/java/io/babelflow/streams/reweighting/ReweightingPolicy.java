package io.babelflow.streams.reweighting;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A corpus-mixture policy: consumes a run's signals in order and now and then proposes target weights.
 *
 * <p>Policies are plain, single-threaded state machines. A policy is built from the run's
 * configuration by {@link PolicyFactory}; its mutable state (and only that) goes through
 * {@link #snapshot()}/{@link #restore}, so an app recreates the policy from the run's RunStarted
 * record and then restores the state it stored. Signals reaching a policy are already sanitised by
 * {@link Guardrails#sanitize}: only run languages, finite non-negative values.
 */
public interface ReweightingPolicy {

    /** The registry name, e.g. {@code exp3}. */
    String name();

    default Optional<Decision> onStep(StepSignal signal) {
        return Optional.empty();
    }

    default Optional<Decision> onEval(EvalSignal signal) {
        return Optional.empty();
    }

    default Optional<Decision> onStage(StageChangeSignal signal) {
        return Optional.empty();
    }

    /** The policy's mutable state as a JSON tree. */
    JsonNode snapshot();

    /** Replaces the mutable state by one {@link #snapshot()} produced for the same configuration. */
    void restore(JsonNode state);
}
