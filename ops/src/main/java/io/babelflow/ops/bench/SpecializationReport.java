package io.babelflow.ops.bench;

import io.babelflow.producers.loadgen.LoadShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What {@link SpecializationBenchmark} measured: its settings and every window, and
 * {@link #summary()}, medians per rank count.
 */
public record SpecializationReport(LoadShape shape, Map<String, String> settings, List<Live> live,
        List<Backlog> backlog, List<Compute> compute) {

    /** One window produced while the app ran. Seconds from the first activation record sent. */
    public record Live(int ranks, int round, boolean warmup, long records, long bytes, double produceSeconds,
            double latencySeconds, double tailSeconds) {
    }

    /**
     * {@code windows} consecutive windows of one run produced while the app was stopped and processed
     * from a standing start, and the same records read by a plain consumer. Over several windows the
     * ratio is one of throughputs: one window alone is mostly fixed latency (two exactly-once commits
     * and the analysis), more than a plain consumer needs to read a 1-rank window.
     *
     * @param startToRunningSeconds from {@code SpecializationApp.start} to the client's RUNNING state
     * @param processSeconds        from RUNNING to the arrival of the window's last output
     * @param rawSeconds            a plain KafkaConsumer reading and Avro-decoding the same records,
     *                              best of {@code SpecializationMeasurements.RAW_READS} reads
     * @param writtenMegabytes      what the app's producer sent per topic for the backlog (the app
     *                              instance is fresh, so its producer's byte-total is the backlog's):
     *                              internal topics named without the application id
     */
    public record Backlog(int ranks, int windows, int round, long records, long bytes, double startToRunningSeconds,
            double processSeconds, double rawSeconds, Map<String, Double> writtenMegabytes) {
        public double recordsPerSecond() {
            return records / processSeconds;
        }

        public double megabytesPerSecond() {
            return bytes / processSeconds / 1e6;
        }

        public double rawMegabytesPerSecond() {
            return bytes / rawSeconds / 1e6;
        }

        /** How many times the raw consume + decode the app takes. */
        public double ratio() {
            return processSeconds / rawSeconds;
        }
    }

    /**
     * The app's computations on one window in this JVM (median of rounds), no Kafka, no stores.
     *
     * @param analysisSeconds the app's window analysis: probabilities, LAPE, transferring, Jaccard, records
     */
    public record Compute(int ranks, long records, double decodeSeconds, double validateSeconds,
            double mergeSeconds, double analysisSeconds) {
        /** What the app computes per window: it decodes each record once, at the intake. */
        public double appSeconds() {
            return decodeSeconds + validateSeconds + mergeSeconds + analysisSeconds;
        }
    }

    /** The settings, then a few lines per rank count: medians over the rounds. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        settings.forEach((k, v) -> lines.add(k + ": " + v));
        for (Compute c : compute) {
            int r = c.ranks();
            List<Live> l = live.stream().filter(x -> x.ranks() == r && !x.warmup()).toList();
            List<Backlog> b = backlog.stream().filter(x -> x.ranks() == r).toList();
            long bytes = b.isEmpty() ? 0 : b.get(0).bytes() / b.get(0).windows();
            lines.add(String.format("%d rank(s), %d records, %.1f MB per window:", r, c.records(), bytes / 1e6));
            lines.add(String.format("  live: first record sent -> last output %.2f s (median of %d; produce %.2f s,"
                            + " tail after last ack %.2f s)", median(l, Live::latencySeconds), l.size(),
                    median(l, Live::produceSeconds), median(l, Live::tailSeconds)));
            lines.add(String.format("  backlog of %d window(s): RUNNING -> last output %.2f s = %.0f records/s, %.1f MB/s"
                            + " (start -> RUNNING %.2f s)", b.isEmpty() ? 0 : b.get(0).windows(), median(b, Backlog::processSeconds),
                    median(b, Backlog::recordsPerSecond), median(b, Backlog::megabytesPerSecond),
                    median(b, Backlog::startToRunningSeconds)));
            lines.add(String.format("  raw consume + Avro decode %.2f s = %.1f MB/s; app / raw = %.1f",
                    median(b, Backlog::rawSeconds), median(b, Backlog::rawMegabytesPerSecond),
                    median(b, Backlog::ratio)));
            if (!b.isEmpty()) {
                lines.add("  the app wrote per backlog window (MB, median): " + b.get(0).writtenMegabytes().keySet().stream()
                        .map(t -> String.format("%s %.1f", t, median(b, x -> x.writtenMegabytes().getOrDefault(t, 0.0)
                                / x.windows())))
                        .collect(Collectors.joining(", ")));
            }
            lines.add(String.format("  in-JVM compute: decode %.2f s, validate %.2f s, merge %.2f s,"
                            + " window analysis %.2f s; sum %.2f s, the rest of the backlog time is Kafka and state",
                    c.decodeSeconds(), c.validateSeconds(), c.mergeSeconds(), c.analysisSeconds(), c.appSeconds()));
        }
        return lines;
    }

    static <T> double median(List<T> values, ToDoubleFunction<T> f) {
        double[] sorted = values.stream().mapToDouble(f).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
