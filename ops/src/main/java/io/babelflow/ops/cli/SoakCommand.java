package io.babelflow.ops.cli;

import io.babelflow.ops.bench.SoakBenchmark;
import io.babelflow.ops.bench.SoakSamples;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code babelflow bench soak}: the analysis apps and the observatory under a long data-parallel 7B-shaped run. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Soak: a data-parallel load run (7B shape, a snapshot every step) and a steered run while the",
                "specialization, reweighting and observatory apps run; lag, heap, RSS and throughput over time,",
                "and every step, window and mixture version counted (lost and duplicated must be 0)."})
public final class SoakCommand implements Callable<Integer> {
    @Mixin
    BenchCommand.BrokerChoice broker = new BenchCommand.BrokerChoice();

    @Option(names = "--minutes", defaultValue = "10", description = "How long the load runs (default: ${DEFAULT-VALUE}).")
    double minutes;
    @Option(names = "--ranks", defaultValue = "8") int ranks;
    @Option(names = "--layers", defaultValue = "32") int layers;
    @Option(names = "--neurons", defaultValue = "11008") int neurons;
    @Option(names = "--languages", defaultValue = "8") int languages;
    @Option(names = "--stats-every", defaultValue = "1", description = "Steps between activation snapshots.")
    int statsEvery;
    @Option(names = "--steps-per-second", defaultValue = "0",
            description = "Pace of the load run; 0 (default): as fast as the specialization app keeps up, --lead windows ahead.")
    double stepsPerSecond;
    @Option(names = "--lead", defaultValue = "2", description = "Windows the load may be ahead when paced by the app.")
    int lead;
    @Option(names = "--out", defaultValue = "bench-soak", description = "Folder of the plots (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (minutes <= 0 || lead < 0) {
            throw new InvalidInputException("--minutes must be > 0 and --lead >= 0");
        }
        LoadShape shape = new LoadShape("soak", layers, neurons, languages, ranks, stepsPerSecond, 1, statsEvery, 1);
        ClientConfig[] client = new ClientConfig[1];
        try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
            SoakBenchmark.Result r = run(client[0], broker.bootstrapServers == null, Duration.ofMillis(
                    (long) (minutes * 60_000)), shape, lead, out, System.out::println);
            report(r).forEach(System.out::println);
            return r.counts().lost() == 0 && r.counts().duplicated() == 0 ? 0 : 1;
        }
    }

    static SoakBenchmark.Result run(ClientConfig client, boolean embedded, Duration duration, LoadShape shape, int lead,
            Path out, Consumer<String> log) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("shape", String.format("%d layers x %d neurons x %d languages, %d ranks, a snapshot every %d steps"
                        + " (%.1f MB per window)", shape.layers(), shape.neurons(), shape.languages(), shape.ranks(),
                shape.statsEvery(), (double) shape.ranks() * shape.layers() * shape.activationPayloadBytes() / 1e6));
        settings.put("broker", embedded ? "embedded single-node KRaft in this JVM" : client.bootstrapServers());
        settings.put("duration", duration.toSeconds() + " s");
        settings.put("jvm", String.format("Java %s, max heap %d MiB, %d cores", System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors()));
        settings.put("load average at the start", String.format("%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        SoakBenchmark.Result r = SoakBenchmark.run(client, duration, shape, lead, out, settings, log);
        r.settings().put("load average at the end", String.format("%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return r;
    }

    static List<String> report(SoakBenchmark.Result r) {
        var c = r.counts();
        List<SoakSamples.Sample> s = r.samples();
        java.util.List<String> lines = new java.util.ArrayList<>();
        r.settings().forEach((k, v) -> lines.add(k + ": " + v));
        lines.add(String.format("sent: %d steps in %.0f s, %.1f MB/s of activation payload; per minute (MB/s): %s",
                c.loadSteps(), r.seconds(), r.payloadMegabytesPerSecond(), SoakSamples.perMinute(s).values().stream()
                        .map(x -> String.format("%.1f", x)).toList()));
        for (String app : s.isEmpty() ? List.<String>of() : s.get(0).lag().keySet()) {
            long max = s.stream().mapToLong(x -> x.lag().get(app)).max().orElse(-1);
            long last = s.get(s.size() - 1).lag().get(app);
            lines.add(String.format("lag %s: max %d records, at the end %d", app, max, last));
        }
        lines.add(String.format("memory: heap max %d MB, after GC max %d MB, last %d MB; RSS first %d MB, max %d MB,"
                        + " last %d MB", s.stream().mapToLong(SoakSamples.Sample::heapBytes).max().orElse(0) >> 20,
                s.stream().mapToLong(SoakSamples.Sample::heapAfterGcBytes).max().orElse(0) >> 20,
                s.isEmpty() ? 0 : s.get(s.size() - 1).heapAfterGcBytes() >> 20,
                s.isEmpty() ? 0 : s.get(0).rssBytes() >> 20,
                s.stream().mapToLong(SoakSamples.Sample::rssBytes).max().orElse(0) >> 20,
                s.isEmpty() ? 0 : s.get(s.size() - 1).rssBytes() >> 20));
        lines.add(String.format("load run TrainSteps: %d expected, %d seen, %d duplicated", c.loadStepRecordsExpected(),
                c.loadStepRecordsSeen(), c.loadStepsDuplicated()));
        lines.add(String.format("windows x layers: %d expected, %d seen, %d duplicated, %d incomplete",
                c.windowsExpected(), c.windowsSeen(), c.windowsDuplicated(), c.windowsIncomplete()));
        lines.add(String.format("steered run: %d steps, %d mixture versions, %d missing, %d duplicated; feedback p50 %.0f"
                + " ms, p99 %.0f ms", c.steeredSteps(), c.versionsSeen(), c.versionsMissing(), c.versionsDuplicated(),
                r.feedbackP50Millis(), r.feedbackP99Millis()));
        lines.add(String.format("observatory last step: load run %d (expected %d), steered run %d (expected %d)",
                c.observatoryLoadLastStep(), c.loadSteps() - 1, c.observatorySteeredLastStep(), c.steeredSteps() - 1));
        lines.add(String.format("LOST %d, DUPLICATED %d", c.lost(), c.duplicated()));
        return lines;
    }
}
