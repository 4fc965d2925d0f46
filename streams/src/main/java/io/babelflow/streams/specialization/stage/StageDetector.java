package io.babelflow.streams.specialization.stage;

import io.babelflow.events.Stage;
import java.util.Locale;

/**
 * Babel Tower stage of a new language, after the hypothesis that a language learned on top of a
 * primary one first runs on the primary's knowledge system (TRANSLATION), then builds its own
 * (TRANSITION), which finally settles (STABILIZATION). A forward-only state machine, evaluated
 * once per closed activation window, on two kinds of evidence, either of which advances a stage:
 * <pre>
 *   (none) ──first observation──▶ TRANSLATION
 *   TRANSLATION ──loss stalled or rose after its first fall (LossTrajectory STALLED)
 *               ∨ transferRatio ≤ 0.5 ∧ share ≥ 0.85, M times in a row──▶ TRANSITION
 *   TRANSITION ──loss fell again below its level at the stall (FALLING_AGAIN)
 *              ∨ jaccard ≥ 0.7 ∧ share ≥ 0.85 ∧ |slope| ≤ 0.02/1000 steps, M times in a row──▶ STABILIZATION
 * </pre>
 * The loss trajectory is the paper's own definition of the stages (the new language's performance:
 * fast gain, decline, recovery); the neurons and the working language are its explanation, and a
 * second route for a run whose loss never visibly dips. The loss evidence is already smoothed over
 * its last points and sticky (a stall, once seen, stays seen), so it advances at once; the
 * neuron/share conditions need M in a row (defaults {@link StageThresholds#DEFAULTS}, M = 3): an
 * observation that fails resets the streak, so noise around a threshold delays an advance but cannot
 * cause one. Stages never go back, so the output cannot flap; a later dip in a signal is read as
 * noise, not regression. A NaN (unknown) signal fails the condition that needs it.
 */
public final class StageDetector {
    private final StageThresholds thresholds;

    public StageDetector(StageThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** A decision: the next state, and the stage change it makes (null when the stage stays). */
    public record Outcome(StageState state, Change change) {
    }

    /** A stage change with the reason naming the evidence and thresholds crossed. */
    public record Change(Stage from, Stage to, String reason) {
    }

    public Outcome observe(StageState state, StageObservation o) {
        if (state.stage() == null) {
            return new Outcome(new StageState(Stage.TRANSLATION, 0), new Change(null, Stage.TRANSLATION, String.format(
                    Locale.ROOT, "first observation at step %d: a new language starts in Translation "
                            + "(transfer ratio %.3f, working-language share %.3f)",
                    o.step(), o.transferRatio(), o.workingShare())));
        }
        LossTrajectory.Reading loss = o.loss();
        switch (state.stage()) {
            case TRANSLATION: {
                if (loss != null && loss.stalled()) {
                    return new Outcome(new StageState(Stage.TRANSITION, 0), new Change(state.stage(), Stage.TRANSITION,
                            String.format(Locale.ROOT, "held-out loss stalled or rose from step %d (α=%.3f at its "
                                    + "introduction, step %d; newest β=%.3f, P=%.2f)", loss.stalledFrom(), loss.alpha(),
                                    loss.introducedAt(), loss.beta(), loss.proportion())));
                }
                boolean met = o.transferRatio() <= thresholds.transitionMaxTransferRatio()
                        && o.workingShare() >= thresholds.transitionMinShare();
                return advance(state, met, Stage.TRANSITION, String.format(Locale.ROOT,
                        "transfer ratio %.3f <= %.3f and middle-layer working-language share %.3f >= %.3f",
                        o.transferRatio(), thresholds.transitionMaxTransferRatio(),
                        o.workingShare(), thresholds.transitionMinShare()));
            }
            case TRANSITION: {
                if (loss != null && loss.fallingAgain()) {
                    return new Outcome(new StageState(Stage.STABILIZATION, 0), new Change(state.stage(),
                            Stage.STABILIZATION, String.format(Locale.ROOT, "held-out loss falling again from step %d "
                                    + "below its level at the stall of step %d (newest ℓ̄=%.3f, β=%.3f, P=%.2f)",
                                    loss.fallingAgainFrom(), loss.stalledFrom(), loss.smoothed(), loss.beta(),
                                    loss.proportion())));
                }
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
