package io.babelflow.streams.specialization.stage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's held-out loss per language: the last eval points (for the slope), the step each language was
 * introduced (its weight in force first above 0) and its {@link LossTrajectory} since then.
 *
 * @param introduced   language to the first step its mixture weight in force was above 0
 * @param trajectories language to its loss trajectory (only languages with a known introduction)
 */
public record LossHistory(Map<String, List<LossSlope.Point>> points, Map<String, Long> introduced,
        Map<String, LossTrajectory.State> trajectories) {
    public static final LossHistory EMPTY = new LossHistory(Map.of(), Map.of(), Map.of());

    public LossHistory {
        points = points == null ? Map.of() : points;
        introduced = introduced == null ? Map.of() : introduced;
        trajectories = trajectories == null ? Map.of() : trajectories;
    }

    /**
     * Adds an eval point, keeping the last {@code keep} per language. A repeated step replaces its
     * point (a re-sent eval); an older step than the newest kept is ignored (the slope is over the
     * latest points). Non-finite losses are skipped. Introduced languages fold the point into their
     * trajectory.
     */
    public LossHistory with(long step, Map<String, Double> losses, int keep, LossTrajectory.Parameters params) {
        Map<String, List<LossSlope.Point>> next = new HashMap<>(points);
        Map<String, LossTrajectory.State> folded = new HashMap<>(trajectories);
        losses.forEach((language, loss) -> {
            if (loss == null || !Double.isFinite(loss)) {
                return;
            }
            List<LossSlope.Point> list = new ArrayList<>(next.getOrDefault(language, List.of()));
            long newest = list.isEmpty() ? Long.MIN_VALUE : list.get(list.size() - 1).step();
            LossSlope.Point point = new LossSlope.Point(step, loss);
            if (step == newest) {
                list.set(list.size() - 1, point);
            } else if (step > newest) {
                list.add(point);
            }
            while (list.size() > keep) {
                list.remove(0);
            }
            next.put(language, List.copyOf(list));
            LossTrajectory.State trajectory = folded.get(language);
            if (trajectory != null) {
                folded.put(language, trajectory.next(point, params));
            }
        });
        return new LossHistory(next, introduced, folded);
    }

    /**
     * Records the languages whose weight in force is above 0 at {@code step} and were not introduced yet;
     * each starts its trajectory from the points kept so far (the last one at or before {@code step} is α),
     * so an introduction that arrives after its first eval points still reads them. Returns this when
     * nothing is new.
     */
    public LossHistory withWeights(long step, Map<String, Double> weightsInForce, LossTrajectory.Parameters params) {
        Map<String, Long> nextIntroduced = null;
        Map<String, LossTrajectory.State> nextTrajectories = null;
        for (Map.Entry<String, Double> w : weightsInForce.entrySet()) {
            if (w.getValue() == null || !(w.getValue() > 0) || introduced.containsKey(w.getKey())) {
                continue;
            }
            if (nextIntroduced == null) {
                nextIntroduced = new HashMap<>(introduced);
                nextTrajectories = new HashMap<>(trajectories);
            }
            nextIntroduced.put(w.getKey(), step);
            LossTrajectory.State state = LossTrajectory.State.start(step);
            for (LossSlope.Point point : of(w.getKey())) {
                state = state.next(point, params);
            }
            nextTrajectories.put(w.getKey(), state);
        }
        return nextIntroduced == null ? this : new LossHistory(points, nextIntroduced, nextTrajectories);
    }

    /** True when every language with weight above 0 is already introduced (nothing for {@link #withWeights}). */
    public boolean allIntroduced(Map<String, Double> weightsInForce) {
        return weightsInForce.entrySet().stream()
                .allMatch(w -> w.getValue() == null || !(w.getValue() > 0) || introduced.containsKey(w.getKey()));
    }

    public List<LossSlope.Point> of(String language) {
        return points.getOrDefault(language, List.of());
    }

    /**
     * The language's trajectory reading; NOT_INTRODUCED (introducedAt -1) when the run's weights in force
     * are known (some language was introduced) but this one's never was above 0; null when no weights
     * in force were seen at all (the introduction is unknown).
     */
    public LossTrajectory.Reading trajectory(String language) {
        LossTrajectory.State state = trajectories.get(language);
        if (state != null) {
            return state.reading();
        }
        return introduced.isEmpty() ? null : LossTrajectory.State.start(-1).reading();
    }
}
