package io.babelflow.streams.specialization.stage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The last held-out loss points of each language of a run, in step order. */
public record LossHistory(Map<String, List<LossSlope.Point>> points) {
    public static final LossHistory EMPTY = new LossHistory(Map.of());

    /**
     * Adds an eval point, keeping the last {@code keep} per language. A repeated step replaces its
     * point (a re-sent eval); an older step than the newest kept is ignored (the slope is over the
     * latest points). Non-finite losses are skipped.
     */
    public LossHistory with(long step, Map<String, Double> losses, int keep) {
        Map<String, List<LossSlope.Point>> next = new HashMap<>(points);
        losses.forEach((language, loss) -> {
            if (loss == null || !Double.isFinite(loss)) {
                return;
            }
            List<LossSlope.Point> list = new ArrayList<>(next.getOrDefault(language, List.of()));
            long newest = list.isEmpty() ? Long.MIN_VALUE : list.get(list.size() - 1).step();
            if (step == newest) {
                list.set(list.size() - 1, new LossSlope.Point(step, loss));
            } else if (step > newest) {
                list.add(new LossSlope.Point(step, loss));
            }
            while (list.size() > keep) {
                list.remove(0);
            }
            next.put(language, List.copyOf(list));
        });
        return new LossHistory(next);
    }

    public List<LossSlope.Point> of(String language) {
        return points.getOrDefault(language, List.of());
    }
}
