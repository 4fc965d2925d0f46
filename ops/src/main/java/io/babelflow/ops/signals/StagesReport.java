package io.babelflow.ops.signals;

import io.babelflow.ops.plot.LineChart;
import io.babelflow.streams.JsonSerde;
import io.babelflow.streams.specialization.stage.LossTrajectory;
import io.babelflow.streams.specialization.stage.StageReplay;
import io.babelflow.streams.specialization.stage.StageThresholds;
import io.babelflow.streams.specialization.stage.StageTimeline;
import io.babelflow.streams.specialization.window.LayerCounts;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Prints and plots where the stage detector puts a recorded run's new languages: per eval point the
 * held-out loss and its trajectory, the working-language share and the transfer measure; the stage
 * changes; the standard error of p per statistics source. One PNG per new language.
 */
public final class StagesReport {
    private StagesReport() {
    }

    public static StageReplay.Result write(RecordedStages.Evidence evidence, StageThresholds thresholds,
            int slopePoints, Path pngDir, PrintStream out) {
        StageReplay.Result result = StageReplay.run(evidence.roles(), evidence.points(), thresholds, slopePoints);
        standardErrors(evidence.counts(), out);
        for (String language : evidence.roles().newLanguages()) {
            out.printf(Locale.ROOT, "%n%s%n%6s %7s %-14s %5s %8s %6s %8s %7s  %s%n", language, "step", "loss", "phase",
                    "P", "slope/α", "share", "transfer", "jaccard", "stage");
            List<String> found = new ArrayList<>();
            for (StageTimeline.Entry change : result.changes()) {
                if (change.language().equals(language)) {
                    found.add(change.to().name().charAt(0) + change.to().name().substring(1).toLowerCase(Locale.ROOT)
                            + " " + change.step());
                }
            }
            LineChart chart = new LineChart(language + ": " + (found.isEmpty() ? "no stage" : String.join(", ", found)),
                    "step", "share, transfer; loss / α");
            double alpha = alpha(result.rows(), language);
            for (StageReplay.Row row : result.rows()) {
                if (!row.language().equals(language)) {
                    continue;
                }
                LossTrajectory.Reading t = row.trajectory();
                out.printf(Locale.ROOT, "%6d %7.4f %-14s %5.2f %8.3f %6.3f %8.3f %7.3f  %s%n", row.step(), row.loss(),
                        t == null ? "-" : t.phase(), t == null ? Double.NaN : t.proportion(),
                        t == null ? Double.NaN : t.relativeSlope(), row.share(), row.transfer(), row.jaccard(),
                        row.stage() == null ? "-" : row.stage());
                chart.add("held-out loss / α (α = loss at the introduction)", row.step(), row.loss() / alpha);
                chart.add("working-language share (middle layers)", row.step(), row.share());
                chart.add("transfer measure", row.step(), row.transfer());
            }
            Long introduced = evidence.points().isEmpty() ? null
                    : evidence.points().get(evidence.points().size() - 1).introduced().get(language);
            if (introduced != null) {
                chart.mark(introduced, "join");
            }
            for (StageTimeline.Entry change : result.changes()) {
                if (change.language().equals(language)) {
                    out.printf(Locale.ROOT, "%s → %s at step %d: %s%n", change.from(), change.to(), change.step(),
                            change.reason());
                    // the title names the stages; single letters keep markers a few steps apart legible
                    // (Translation begins at the first window after the join, next to its marker)
                    if (change.from() != null) {
                        chart.mark(change.step(), change.to().name().substring(0, 1));
                    }
                }
            }
            if (pngDir != null) {
                chart.writePng(pngDir.resolve("stages-" + language + ".png"), 900, 420);
            }
        }
        return result;
    }

    /** α of the language's newest trajectory reading (its loss at the introduction); NaN when unknown. */
    private static double alpha(List<StageReplay.Row> rows, String language) {
        double alpha = Double.NaN;
        for (StageReplay.Row row : rows) {
            if (row.language().equals(language) && row.trajectory() != null && row.trajectory().introducedAt() >= 0) {
                alpha = row.trajectory().alpha();
            }
        }
        return alpha;
    }

    /** The evidence as JSON: what a regression test replays without the (large) activation statistics. */
    public static void writeEvidence(RecordedStages.Evidence evidence, Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Map<String, Object> json = new TreeMap<>();
            json.put("runId", evidence.run().getRunId());
            json.put("primary", evidence.roles().primary());
            json.put("newLanguages", evidence.roles().newLanguages());
            json.put("points", evidence.points());
            JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Binomial standard error √(p(1 − p)/n) of every neuron's p, per window and language: median and max. */
    static void standardErrors(Map<String, Map<Long, SortedMap<Integer, LayerCounts>>> counts, PrintStream out) {
        counts.forEach((source, windows) -> {
            Map<String, List<double[]>> perLanguage = new TreeMap<>();
            windows.values().forEach(byLayer -> byLayer.values().forEach(c -> {
                for (String l : c.languages()) {
                    long n = c.tokens(l);
                    if (n <= 0) {
                        continue;
                    }
                    double[] se = new double[c.neurons()];
                    for (int k = 0; k < se.length; k++) {
                        double p = c.count(l, k) / n;
                        se[k] = Math.sqrt(p * (1 - p) / n);
                    }
                    Arrays.sort(se);
                    perLanguage.computeIfAbsent(l, k -> new ArrayList<>())
                            .add(new double[] {n, se[se.length / 2], se[se.length - 1]});
                }
            }));
            perLanguage.forEach((l, rows) -> out.printf(Locale.ROOT,
                    "SE(p) %-7s %-7s: %d windows×layers, mean tokens %.0f, median SE (mean over windows) %.4f, max SE %.4f%n",
                    source, l, rows.size(), rows.stream().mapToDouble(r -> r[0]).average().orElse(0),
                    rows.stream().mapToDouble(r -> r[1]).average().orElse(0),
                    rows.stream().mapToDouble(r -> r[2]).max().orElse(0)));
        });
    }
}
