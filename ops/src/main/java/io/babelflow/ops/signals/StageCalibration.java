package io.babelflow.ops.signals;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.ops.plot.LineChart;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.streams.specialization.lape.ActivationProbabilities;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.lape.LapeResult;
import io.babelflow.streams.specialization.lape.LapeSelector;
import io.babelflow.streams.specialization.lape.TransferMeasure;
import io.babelflow.streams.specialization.stage.LossSlope;
import io.babelflow.streams.specialization.stage.LossTrajectory;
import io.babelflow.streams.specialization.stage.WorkingLanguageShare;
import io.babelflow.streams.specialization.window.LayerCounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replays a recorded run through the specialization app's analysis classes (no broker): per new
 * language and eval point, its held-out loss and {@link LossTrajectory} phase, its middle-layer
 * working-language share and its {@link TransferMeasure} on the HELDOUT statistics; also the standard
 * error of the activation probabilities p per statistics window and source. Prints a table and writes
 * {@code stages.png} (loss, share and transfer over steps) next to the run file.
 * Usage: {@code StageCalibration RUNFILE [slopePoints minDrop stallSlope]}.
 */
public final class StageCalibration {
    private StageCalibration() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        LossTrajectory.Parameters params = args.length >= 4
                ? new LossTrajectory.Parameters(Integer.parseInt(args[1]), Double.parseDouble(args[2]),
                        Double.parseDouble(args[3]))
                : LossTrajectory.Parameters.DEFAULTS;
        List<Object> records = new ArrayList<>(TelemetryFile.readAll(file));
        RunStarted run = records.stream().filter(RunStarted.class::isInstance).map(RunStarted.class::cast)
                .findFirst().orElseThrow();
        String primary = run.getLanguages().stream().filter(l -> l.getRole().name().equals("PRIMARY"))
                .findFirst().orElseThrow().getId();
        List<String> newLanguages = run.getLanguages().stream().filter(l -> l.getRole().name().equals("NEW"))
                .map(l -> l.getId()).toList();
        Map<String, Long> introduced = new TreeMap<>();
        Map<String, List<LossSlope.Point>> losses = new TreeMap<>();
        Map<Long, Map<String, List<Double>>> shares = new TreeMap<>();
        Map<String, Map<Long, Map<Integer, LayerCounts>>> stats = new TreeMap<>();
        int layers = run.getModel().getLayers();
        for (Object r : records) {
            if (r instanceof TrainStep s) {
                s.getMixtureWeights().forEach((l, w) -> {
                    if (w > 0) {
                        introduced.putIfAbsent(l, s.getStep());
                    }
                });
            } else if (r instanceof EvalResult e) {
                e.getLanguageLoss().forEach((l, v) ->
                        losses.computeIfAbsent(l, k -> new ArrayList<>()).add(new LossSlope.Point(e.getStep(), v)));
            } else if (r instanceof WorkingLanguage w && WorkingLanguageShare.middle(w.getLayer(), w.getLayers())) {
                for (LanguageReading reading : w.getReadings()) {
                    shares.computeIfAbsent(w.getStep(), k -> new TreeMap<>())
                            .computeIfAbsent(reading.getProbeLanguage(), k -> new ArrayList<>())
                            .add(WorkingLanguageShare.share(reading.getAnswerMass(), reading.getProbeLanguage(), primary));
                }
            } else if (r instanceof ActivationStats a) {
                stats.computeIfAbsent(a.getSource().name(), k -> new TreeMap<>())
                        .computeIfAbsent(a.getWindowEnd(), k -> new TreeMap<>())
                        .computeIfAbsent(a.getLayer(), k -> new LayerCounts(a.getNeurons())).add(a);
            }
        }
        System.out.println("introduced: " + introduced);
        standardErrors(stats);
        List<String> all = run.getLanguages().stream().map(l -> l.getId()).toList();
        Map<Long, Map<String, Double>> transfer = new TreeMap<>();
        stats.getOrDefault(StatsSource.HELDOUT.name(), Map.of()).forEach((step, byLayer) -> {
            double[][] m = byLayer.values().stream().map(c -> c.probabilities(all)).toArray(double[][]::new);
            int[] ids = byLayer.keySet().stream().mapToInt(Integer::intValue).toArray();
            LapeResult lape = new LapeSelector(LapeParameters.DEFAULTS).select(new ActivationProbabilities(all, ids, m));
            Map<String, Double> t = new TreeMap<>();
            for (String l : newLanguages) {
                t.put(l, TransferMeasure.ratio(m, all.size(), all.indexOf(primary), all.indexOf(l), lape.activationBar()));
            }
            transfer.put(step, t);
        });
        LineChart chart = new LineChart("stages: held-out loss / share / transfer", "step", "value");
        for (String l : newLanguages) {
            long at = introduced.getOrDefault(l, Long.MAX_VALUE);
            System.out.printf(Locale.ROOT, "%n%s (introduced at step %d)%n%6s %8s %-14s %6s %8s %8s %8s%n", l, at,
                    "step", "loss", "phase", "P", "slope/α", "share", "transfer");
            List<LossSlope.Point> points = losses.getOrDefault(l, List.of());
            for (int i = 0; i < points.size(); i++) {
                long step = points.get(i).step();
                LossTrajectory.Reading reading = LossTrajectory.read(points.subList(0, i + 1), at, params);
                List<Double> s = shares.getOrDefault(step, Map.of()).getOrDefault(l, List.of());
                double share = s.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                double t = transfer.getOrDefault(step, Map.of()).getOrDefault(l, Double.NaN);
                System.out.printf(Locale.ROOT, "%6d %8.4f %-14s %6.3f %8.3f %8.3f %8.3f%n", step, points.get(i).loss(),
                        reading.phase(), reading.proportion(), reading.relativeSlope(), share, t);
                chart.add(l + " held-out loss / 4", step, points.get(i).loss() / 4);
                if (!Double.isNaN(share)) {
                    chart.add(l + " working share", step, share);
                }
                if (!Double.isNaN(t)) {
                    chart.add(l + " transfer", step, t);
                }
            }
            LossTrajectory.Reading last = LossTrajectory.read(points, at, params);
            System.out.printf(Locale.ROOT, "%s: falling from %d, stalled from %d, falling again from %d (α=%.3f β=%.3f)%n",
                    l, last.fallingFrom(), last.stalledFrom(), last.fallingAgainFrom(), last.alpha(), last.beta());
        }
        chart.writePng(file.resolveSibling("stages.png"), 1000, 560);
    }

    /** Binomial standard error sqrt(p(1 − p)/N) of every neuron's p, per window: median and max over neurons. */
    private static void standardErrors(Map<String, Map<Long, Map<Integer, LayerCounts>>> stats) {
        stats.forEach((source, windows) -> {
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
                    perLanguage.computeIfAbsent(l, k -> new ArrayList<>()).add(new double[] {n, se[se.length / 2],
                            se[se.length - 1]});
                }
            }));
            perLanguage.forEach((l, rows) -> {
                double tokens = rows.stream().mapToDouble(r -> r[0]).average().orElse(0);
                double median = rows.stream().mapToDouble(r -> r[1]).average().orElse(0);
                double max = rows.stream().mapToDouble(r -> r[2]).max().orElse(0);
                System.out.printf(Locale.ROOT, "SE(p) %s %-7s: %d windows×layers, mean tokens %.0f, mean median SE %.4f, max SE %.4f%n",
                        source, l, rows.size(), tokens, median, max);
            });
        });
    }
}
