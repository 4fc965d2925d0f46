package io.babelflow.streams.reweighting.policy;

import io.babelflow.events.Stage;
import io.babelflow.streams.reweighting.StageChangeSignal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stand-in for the specialization app's stage detection when only a loss curve is available (a
 * recorded trainer file has no StageChange events). It reads the Babel Tower stages off
 * {@link SystemProportion} P of each new language:
 * <ul>
 *   <li>every new language starts in TRANSLATION (not reported; the policy assumes it too);</li>
 *   <li>TRANSLATION → TRANSITION once the loss has come down by at least {@code minDrop} of its initial
 *       value and P then stays below {@code transitionBelow} for {@code patience} consecutive observations:
 *       the new language's performance has started to decline from its best, the paper's sign of
 *       Transition;</li>
 *   <li>TRANSITION → STABILIZATION once P is back at or above {@code stableAbove} for {@code patience}
 *       observations: the language has regained its best performance on its own system.</li>
 * </ul>
 * It is a coarse proxy: it sees only performance, not the neuron or working-language evidence.
 */
public final class LossCurveStageDetector {

    /** Thresholds; defaults {@code 0.9, 0.98, 3, 0.05}. */
    public record Thresholds(double transitionBelow, double stableAbove, int patience, double minDrop) {
        public static final Thresholds DEFAULT = new Thresholds(0.9, 0.98, 3, 0.05);
    }

    private final Thresholds thresholds;
    private final Map<String, SystemProportion> curves = new LinkedHashMap<>();
    private final Map<String, Stage> stages = new LinkedHashMap<>();
    private final Map<String, Integer> streaks = new LinkedHashMap<>();
    private final Set<String> introduced = new HashSet<>();
    private boolean weightsKnown;

    public LossCurveStageDetector(List<String> newLanguages, double smoothing, Thresholds thresholds) {
        this.thresholds = thresholds;
        for (String l : newLanguages) {
            curves.put(l, new SystemProportion(smoothing));
            stages.put(l, Stage.TRANSLATION);
            streaks.put(l, 0);
        }
    }

    /**
     * Reports the weights in force at a step: from then on, a language's losses count only once its weight
     * was above 0, so α of P(ℓ) is its loss at its introduction, not at step 0 where a held-out curve of a
     * language not yet trained on starts near ln 256. Without any report, every loss seen counts (a TRAIN
     * loss curve has no points before the language is in the batches).
     */
    public void weightsInForce(Map<String, Double> weights) {
        if (weights.isEmpty()) {
            return;
        }
        weightsKnown = true;
        weights.forEach((l, w) -> {
            if (w != null && w > 0) {
                introduced.add(l);
            }
        });
    }

    /** Feeds one observation of per-language losses at {@code step}; returns the stage changes it causes. */
    public List<StageChangeSignal> observe(long step, Map<String, Double> loss) {
        List<StageChangeSignal> changes = new ArrayList<>();
        curves.forEach((l, curve) -> {
            Double v = loss.get(l);
            if (v == null || !Double.isFinite(v) || v < 0 || (weightsKnown && !introduced.contains(l))) {
                return;
            }
            curve.observe(v);
            double p = curve.proportion().orElse(0);
            Stage stage = stages.get(l);
            boolean towardsNext = switch (stage) {
                case TRANSLATION -> curve.relativeDrop() >= thresholds.minDrop() && p < thresholds.transitionBelow();
                case TRANSITION -> p >= thresholds.stableAbove();
                case STABILIZATION -> false;
            };
            int streak = towardsNext ? streaks.get(l) + 1 : 0;
            streaks.put(l, streak);
            if (streak >= thresholds.patience()) {
                Stage next = stage == Stage.TRANSLATION ? Stage.TRANSITION : Stage.STABILIZATION;
                stages.put(l, next);
                streaks.put(l, 0);
                SystemProportion.State c = curve.state();
                Map<String, Double> evidence = new LinkedHashMap<>();
                evidence.put("systemProportion", p);
                evidence.put("initialLoss", c.initial());
                evidence.put("lowestLoss", c.lowest());
                evidence.put("smoothedLoss", c.smoothed());
                changes.add(new StageChangeSignal(l, stage, next, step, evidence));
            }
        });
        return changes;
    }

    public Stage stage(String language) {
        return stages.get(language);
    }
}
