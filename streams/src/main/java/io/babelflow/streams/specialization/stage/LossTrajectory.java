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
 * to [0, 1], is the paper's system proportion on these anchors. Plain math, no Kafka types.
 */
public final class LossTrajectory {

    public enum Phase { NOT_INTRODUCED, FALLING, STALLED, FALLING_AGAIN }

    /**
     * @param slopePoints points in the moving mean and the local slope (≥ 2)
     * @param minDrop     relative drop (α − β)/α the language must have made before a stall counts
     * @param stallSlope  a local slope above −stallSlope (fraction of α per 1000 steps) is a stall
     */
    public record Parameters(int slopePoints, double minDrop, double stallSlope) {
        public static final Parameters DEFAULTS = new Parameters(3, 0.2, 0.05);

        public Parameters {
            if (slopePoints < 2) {
                throw new IllegalArgumentException("slopePoints must be at least 2, was " + slopePoints);
            }
        }
    }

    /** The trajectory after the newest point, with the steps each phase began (-1: not yet). */
    public record Reading(Phase phase, long introducedAt, double alpha, double beta, double smoothed,
            double proportion, double relativeSlope, long fallingFrom, long stalledFrom, long fallingAgainFrom) {
    }

    private LossTrajectory() {
    }

    /** Reads {@code points} (step order) of a language introduced at {@code introducedAt}. */
    public static Reading read(List<LossSlope.Point> points, long introducedAt, Parameters p) {
        double alpha = Double.NaN;
        for (LossSlope.Point point : points) {
            if (point.step() <= introducedAt) {
                alpha = point.loss();
            }
        }
        List<LossSlope.Point> after = new ArrayList<>();
        for (LossSlope.Point point : points) {
            if (point.step() >= introducedAt) {
                after.add(point);
            }
        }
        if (after.isEmpty()) {
            return new Reading(Phase.NOT_INTRODUCED, introducedAt, alpha, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, -1, -1, -1);
        }
        if (Double.isNaN(alpha)) {
            alpha = after.get(0).loss();
        }
        Phase phase = Phase.FALLING;
        long fallingFrom = after.get(0).step();
        long stalledFrom = -1;
        long againFrom = -1;
        double beta = alpha;
        double smoothed = alpha;
        double slope = Double.NaN;
        double stallLevel = Double.NaN;
        for (int i = 0; i < after.size(); i++) {
            List<LossSlope.Point> recent = after.subList(Math.max(0, i + 1 - p.slopePoints()), i + 1);
            smoothed = recent.stream().mapToDouble(LossSlope.Point::loss).average().orElseThrow();
            beta = Math.min(beta, smoothed);
            if (recent.size() < p.slopePoints()) {
                continue;
            }
            slope = LossSlope.perThousandSteps(recent) / alpha;
            long step = after.get(i).step();
            if (phase == Phase.FALLING && (alpha - beta) / alpha >= p.minDrop() && slope >= -p.stallSlope()) {
                phase = Phase.STALLED;
                stalledFrom = step;
                stallLevel = smoothed;
            } else if (phase == Phase.STALLED && slope < -p.stallSlope() && smoothed < stallLevel) {
                phase = Phase.FALLING_AGAIN;
                againFrom = step;
            }
        }
        double range = alpha - beta;
        double proportion = range <= 0 ? 0 : Math.max(0, Math.min(1, (alpha - smoothed) / range));
        return new Reading(phase, introducedAt, alpha, beta, smoothed, proportion, slope, fallingFrom, stalledFrom,
                againFrom);
    }
}
