package io.babelflow.streams.reweighting.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.ReweightingPolicy;
import io.babelflow.streams.reweighting.StateJson;
import io.babelflow.streams.reweighting.StepSignal;
import io.babelflow.streams.reweighting.Weights;
import java.util.Locale;
import java.util.Optional;

/**
 * ChatFlow's dynamic data sampler: the mixture follows a {@link MixtureSchedule} over training steps or
 * cumulative tokens (e.g. pre-training → parallel → instruction), re-proposed every {@code every} steps.
 * The position is the signal's step, or the tokens of all steps seen so far including this one.
 */
public final class SchedulePolicy implements ReweightingPolicy {
    public static final String NAME = "schedule";

    /** What the schedule's positions count. */
    public enum Axis { STEPS, TOKENS }

    private final MixtureSchedule schedule;
    private final Axis axis;
    private final long every;

    private long tokensSeen;
    private long lastDecisionStep = -1;
    private boolean decided;

    record State(long tokensSeen, boolean decided, long lastDecisionStep) {
    }

    public SchedulePolicy(MixtureSchedule schedule, Axis axis, long every) {
        this.schedule = schedule;
        this.axis = axis;
        this.every = every;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> onStep(StepSignal signal) {
        tokensSeen += signal.tokens();
        if (decided && signal.step() - lastDecisionStep < every) {
            return Optional.empty();
        }
        decided = true;
        lastDecisionStep = signal.step();
        double position = axis == Axis.STEPS ? signal.step() : tokensSeen;
        MixtureSchedule.Located at = schedule.locate(position);
        String reason = String.format(Locale.ROOT, "schedule: %s %d %s → %s", axis == Axis.STEPS ? "step" : "tokens",
                (long) position, at.where(), Weights.format(at.weights()));
        return Optional.of(new Decision(at.weights(), reason, signal.step()));
    }

    @Override
    public JsonNode snapshot() {
        return StateJson.tree(new State(tokensSeen, decided, lastDecisionStep));
    }

    @Override
    public void restore(JsonNode state) {
        State s = StateJson.read(state, State.class);
        tokensSeen = s.tokensSeen();
        decided = s.decided();
        lastDecisionStep = s.lastDecisionStep();
    }
}
