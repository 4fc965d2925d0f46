package io.babelflow.streams.specialization.stage;

import io.babelflow.events.Stage;
import java.util.Locale;

/**
 * Babel Tower stage of a new language, after the hypothesis that a language learned on top of a
 * primary one first runs on the primary's knowledge system (TRANSLATION), then builds its own
 * (TRANSITION), which finally settles (STABILIZATION). A forward-only state machine, evaluated
 * once per closed activation window:
 * <pre>
 *   (none) ──first observation──▶ TRANSLATION
 *   TRANSLATION ──transferRatio ≤ 0.5 ∧ share ≥ 0.35, M times in a row──▶ TRANSITION
 *   TRANSITION ──jaccard ≥ 0.7 ∧ share ≥ 0.5 ∧ |slope| ≤ 0.02/1000 steps, M times in a row──▶ STABILIZATION
 * </pre>
 * (defaults from {@link StageThresholds#DEFAULTS}, M = 3). Hysteresis: an observation that fails
 * the condition resets the streak, so noise around a threshold delays an advance but cannot
 * cause one; and since stages never go back, the output cannot flap. Stages are developmental
 * phases, so a later dip in a signal is read as noise, not regression. A NaN (unknown) signal
 * fails the condition that needs it. The held-out loss slope is reported with every decision
 * but gates only Stabilization: requiring a falling loss to leave Translation would strand a
 * language whose loss had already flattened when the app started.
 */
public final class StageDetector {
    private final StageThresholds thresholds;

    public StageDetector(StageThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** A decision: the next state, and the stage change it makes (null when the stage stays). */
    public record Outcome(StageState state, Change change) {
    }

    /** A stage change with the reason naming the thresholds crossed. */
    public record Change(Stage from, Stage to, String reason) {
    }

    public Outcome observe(StageState state, StageObservation o) {
        if (state.stage() == null) {
            return new Outcome(new StageState(Stage.TRANSLATION, 0), new Change(null, Stage.TRANSLATION, String.format(
                    Locale.ROOT, "first observation at step %d: a new language starts in Translation "
                            + "(transfer ratio %.3f, working-language share %.3f)",
                    o.step(), o.transferRatio(), o.workingShare())));
        }
        switch (state.stage()) {
            case TRANSLATION: {
                boolean met = o.transferRatio() <= thresholds.transitionMaxTransferRatio()
                        && o.workingShare() >= thresholds.transitionMinShare();
                return advance(state, met, Stage.TRANSITION, String.format(Locale.ROOT,
                        "transfer ratio %.3f <= %.3f and middle-layer working-language share %.3f >= %.3f",
                        o.transferRatio(), thresholds.transitionMaxTransferRatio(),
                        o.workingShare(), thresholds.transitionMinShare()));
            }
            case TRANSITION: {
                boolean met = o.jaccard() >= thresholds.stableMinJaccard()
                        && o.workingShare() >= thresholds.stableMinShare()
                        && Math.abs(o.lossSlope()) <= thresholds.stableMaxAbsSlope();
                return advance(state, met, Stage.STABILIZATION, String.format(Locale.ROOT,
                        "neuron-set Jaccard %.3f >= %.3f, middle-layer working-language share %.3f >= %.3f and "
                                + "|held-out loss slope| %.4f <= %.4f nats/1000 steps",
                        o.jaccard(), thresholds.stableMinJaccard(), o.workingShare(), thresholds.stableMinShare(),
                        Math.abs(o.lossSlope()), thresholds.stableMaxAbsSlope()));
            }
            default:
                return new Outcome(state, null);
        }
    }

    private Outcome advance(StageState state, boolean met, Stage next, String condition) {
        if (!met) {
            return new Outcome(new StageState(state.stage(), 0), null);
        }
        int streak = state.streak() + 1;
        if (streak < thresholds.consecutive()) {
            return new Outcome(new StageState(state.stage(), streak), null);
        }
        return new Outcome(new StageState(next, 0), new Change(state.stage(), next,
                condition + " for " + streak + " consecutive window" + (streak == 1 ? "" : "s")));
    }
}
