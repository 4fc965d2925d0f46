package io.babelflow.ops.experiment;

import io.babelflow.ops.plot.LineChart;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A report's held-out loss plot of one language with the forks overlaid on their parent: the parent's
 * curve up to the fork step, then each arm's mean over seeds starting from the parent's last point
 * (the state every arm forked from), and the fork marked.
 */
final class ForkPlot {
    private ForkPlot() {
    }

    static void heldout(Path png, String language, String parentName, RunHistory parent, long forkStep,
            Map<String, List<GridRun>> byArm, Map<GridRun, RunHistory> history) {
        LineChart chart = new LineChart("Held-out loss, " + language + " (arms: mean over seeds)", "step", "nats/byte");
        TreeMap<Long, Double> before = parent.heldout().getOrDefault(language, new TreeMap<>());
        before.forEach((step, v) -> chart.add(parentName, step, v));
        byArm.forEach((arm, runs) -> {
            if (!before.isEmpty()) {
                chart.add(arm, before.lastKey(), before.lastEntry().getValue());
            }
            meanCurve(runs, history, language).forEach((step, v) -> chart.add(arm, step, v));
        });
        chart.mark(forkStep, "fork");
        chart.writePng(png, 1000, 560);
    }

    /** step -> mean over the runs that have a held-out loss of {@code language} at that step. */
    static TreeMap<Long, Double> meanCurve(List<GridRun> runs, Map<GridRun, RunHistory> history, String language) {
        TreeMap<Long, double[]> sums = new TreeMap<>();
        for (GridRun r : runs) {
            history.get(r).heldout().getOrDefault(language, new TreeMap<>()).forEach((step, v) -> {
                double[] s = sums.computeIfAbsent(step, k -> new double[2]);
                s[0] += v;
                s[1]++;
            });
        }
        TreeMap<Long, Double> mean = new TreeMap<>();
        sums.forEach((step, s) -> mean.put(step, s[0] / s[1]));
        return mean;
    }
}
