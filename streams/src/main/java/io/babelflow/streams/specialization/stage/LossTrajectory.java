package io.babelflow.streams.specialization.stage;

import java.util.ArrayList;
import java.util.List;

/**
 * The Babel Tower performance signature of a new language, read off its held-out loss after it was
 * introduced (Chen et al. 2024: a fast gain in Translation, a decline while the language forms its
 * own system in Transition, recovery in Stabilization):
 * <pre>
 *   NOT_INTRODUCED ──first point at or after the introduction──▶ FALLING
 *   FALLING ──(α − β)/α ≥ minDrop ∧ local slope ≥ −stallSlope──▶ STALLED       (stall or rise)
 *   STALLED ──local slope &lt; −stallSlope ∧ ℓ̄ below its level at the stall──▶ FALLING_AGAIN
 * </pre>
 * α is the loss at the introduction (the last point at or before it, else the first after), not at
 * step 0, where every language of a model trained from scratch starts near ln 256; β is the lowest
 * smoothed loss since; ℓ̄ the mean of the last {@code slopePoints} points; the local slope the least
 * squares slope of those points, as a fraction of α per 1000 steps. P(ℓ) = (α − ℓ̄)/(α − β), clamped
 * to [0, 1], is the paper's system proportion on these anchors. Plain math, no Kafka types; a
 * {@link State} folds one point at a time, so the live app keeps O(slopePoints) per language.
 */
public final class LossTrajectory {

    public enum Phase { NOT_INTRODUCED, FALLING, STALLED, FALLING_AGAIN }

    /**
     * @param slopePoints points in the moving mean and the local slope (≥ 2)
     * @param minDrop     relative drop (α − β)/α the language must have made before a stall counts
     * @param stallSlope  a local slope above −stallSlope (fraction of α per 1000 steps) is a stall
     */
    public record Parameters(int slopePoints, double minDrop, double stallSlope) {
        public static final Parameters DEFAULTS = new Parameters(3, 0.1, 0.05);

        public Parameters {
            if (slopePoints < 2) {
                throw new IllegalArgumentException("slopePoints must be at least 2, was " + slopePoints);
            }
            if (minDrop < 0 || stallSlope < 0) {
                throw new IllegalArgumentException("minDrop and stallSlope must be >= 0, were " + minDrop + ", "
                        + stallSlope);
            }
        }
    }

    /** The trajectory after the newest point, with the steps each phase began (-1: not yet). */
    public record Reading(Phase phase, long introducedAt, double alpha, double beta, double smoothed,
            double proportion, double relativeSlope, long fallingFrom, long stalledFrom, long fallingAgainFrom) {

        /** True once the loss has stalled or risen after its first fall (now or earlier). */
        public boolean stalled() {
            return stalledFrom >= 0;
        }

        /** True once the loss has fallen again below its level at the stall. */
        public boolean fallingAgain() {
            return fallingAgainFrom >= 0;
        }

        /**
         * The phases as they stood at {@code step}: a phase begun later is not yet begun (the values α, β,
         * ℓ̄, P and the slope stay those of the newest point). Lets evidence that ran ahead of a statistics
         * window be read at the window's step.
         */
        public Reading asOf(long step) {
            if (phase == Phase.NOT_INTRODUCED || introducedAt > step || fallingFrom > step) {
                return new Reading(Phase.NOT_INTRODUCED, introducedAt, alpha, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, -1, -1, -1);
            }
            long stalled = stalledFrom <= step ? stalledFrom : -1;
            long again = fallingAgainFrom <= step ? fallingAgainFrom : -1;
            Phase at = again >= 0 ? Phase.FALLING_AGAIN : stalled >= 0 ? Phase.STALLED : Phase.FALLING;
            return new Reading(at, introducedAt, alpha, beta, smoothed, proportion, relativeSlope, fallingFrom, stalled,
                    again);
        }
    }

    /**
     * The fold's state (a JSON state-store value in the app).
     *
     * @param recent     the last {@code slopePoints} points since the introduction
     * @param stallLevel ℓ̄ when the stall began (NaN before)
     * @param newest     step of the newest point folded (older or repeated points are ignored)
     */
    public record State(long introducedAt, Phase phase, double alpha, double beta, double smoothed,
            double relativeSlope, double stallLevel, List<LossSlope.Point> recent, long newest, long fallingFrom,
            long stalledFrom, long fallingAgainFrom) {

        /** Nothing seen yet of a language introduced at {@code introducedAt}. */
        public static State start(long introducedAt) {
            return new State(introducedAt, Phase.NOT_INTRODUCED, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, List.of(), Long.MIN_VALUE, -1, -1, -1);
        }

        /** Folds the next point (in step order; an older or repeated step is ignored, a non-finite loss too). */
        public State next(LossSlope.Point point, Parameters p) {
            long step = point.step();
            if (step <= newest || !Double.isFinite(point.loss())) {
                return this;
            }
            double a = alpha;
            if (step <= introducedAt) {
                a = point.loss();
            }
            if (step < introducedAt) {
                return new State(introducedAt, phase, a, beta, smoothed, relativeSlope, stallLevel, recent, step,
                        fallingFrom, stalledFrom, fallingAgainFrom);
            }
            Phase ph = phase;
            long falling = fallingFrom;
            double b = beta;
            if (ph == Phase.NOT_INTRODUCED) {
                ph = Phase.FALLING;
                falling = step;
                a = Double.isNaN(a) ? point.loss() : a;
                b = a;
            }
            List<LossSlope.Point> last = new ArrayList<>(recent);
            last.add(point);
            while (last.size() > p.slopePoints()) {
                last.remove(0);
            }
            double mean = last.stream().mapToDouble(LossSlope.Point::loss).average().orElseThrow();
            b = Math.min(b, mean);
            double slope = relativeSlope;
            double level = stallLevel;
            long stalled = stalledFrom;
            long again = fallingAgainFrom;
            if (last.size() >= p.slopePoints()) {
                slope = LossSlope.perThousandSteps(last) / a;
                if (ph == Phase.FALLING && (a - b) / a >= p.minDrop() && slope >= -p.stallSlope()) {
                    ph = Phase.STALLED;
                    stalled = step;
                    level = mean;
                } else if (ph == Phase.STALLED && slope < -p.stallSlope() && mean < level) {
                    ph = Phase.FALLING_AGAIN;
                    again = step;
                }
            }
            return new State(introducedAt, ph, a, b, mean, slope, level, List.copyOf(last), step, falling, stalled,
                    again);
        }

        public Reading reading() {
            if (phase == Phase.NOT_INTRODUCED) {
                return new Reading(phase, introducedAt, alpha, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, -1,
                        -1);
            }
            double range = alpha - beta;
            double proportion = range <= 0 ? 0 : Math.max(0, Math.min(1, (alpha - smoothed) / range));
            return new Reading(phase, introducedAt, alpha, beta, smoothed, proportion, relativeSlope, fallingFrom,
                    stalledFrom, fallingAgainFrom);
        }
    }

    private LossTrajectory() {
    }

    /** Reads {@code points} (step order) of a language introduced at {@code introducedAt}. */
    public static Reading read(List<LossSlope.Point> points, long introducedAt, Parameters p) {
        State state = State.start(introducedAt);
        for (LossSlope.Point point : points) {
            state = state.next(point, p);
        }
        return state.reading();
    }
}
