package io.babelflow.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.babelflow.ops.bench.FeedbackLatencyBenchmark;
import io.babelflow.ops.bench.ObservatoryBenchmark;
import io.babelflow.ops.bench.ProducerBenchmark;
import io.babelflow.ops.bench.SpecializationBenchmark;
import io.babelflow.ops.bench.SpecializationReport;
import io.babelflow.ops.bench.TelemetryOverheadBenchmark;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.trainer.bench.TrainerBenchmark;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code babelflow bench all}: every benchmark in its short form, one after the other against one
 * broker in one JVM, so the ratios are taken side by side; one table on stdout, one JSON file.
 */
@Command(name = "all", mixinStandardHelpOptions = true,
        description = {"Every benchmark in a short form against one broker: trainer steps/s, telemetry overhead, producer",
                "vs ProducerPerformance, specialization 1 and 8 ranks vs raw consume, feedback latency, event-to-page",
                "latency, soak; prints one table and writes one JSON file."})
public final class BenchAllCommand implements Callable<Integer> {
    @Mixin
    BenchCommand.BrokerChoice broker = new BenchCommand.BrokerChoice();

    @Option(names = "--json", defaultValue = "bench-all.json", description = "The JSON file (default: ${DEFAULT-VALUE}).")
    Path json;
    @Option(names = "--out", defaultValue = "bench-all", description = "Folder of the soak's plots (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--soak-minutes", defaultValue = "2") double soakMinutes;
    @Option(names = "--skip", split = ",", defaultValue = "",
            description = "Parts to leave out: trainer, telemetry, producer, specialization, feedback, observatory, soak.")
    List<String> skip;

    /** One row of the table: what, the figure, the target it is read against. */
    record Row(String benchmark, String figure, String value, String target) {
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory GiB", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() >> 30);
        machine.put("java", System.getProperty("java.version"));
        machine.put("max heap MiB", Runtime.getRuntime().maxMemory() >> 20);
        machine.put("load average at the start", loadAverage());
        machine.put("started", Instant.now().toString());
        report.put("machine", machine);
        List<Row> rows = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        report.put("results", results);
        Consumer<String> log = System.out::println;
        ClientConfig[] client = new ClientConfig[1];
        Path work = Files.createTempDirectory("babelflow-bench-all");
        try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
            machine.put("broker", broker.bootstrapServers == null ? "embedded, in this JVM" : broker.bootstrapServers);
            TopicProvisioner.ensureTopics(client[0], (short) -1);
            if (part("trainer")) {
                var t = TrainerBenchmark.run(100, null, log);
                results.put("trainer", t);
                rows.add(new Row("trainer (4 layers, d 128, batch 16)", "steps/s, statistics off / on (K=10)",
                        String.format("%.2f / %.2f", t.stepsPerSecondOff(), t.stepsPerSecondOn()), ""));
                rows.add(new Row("trainer", "activation statistics, share of a step", String.format("%.1f %%",
                        t.statisticsPercent()), "<= 5 %"));
            }
            if (part("telemetry")) {
                Path corpus = TrainerBenchmark.syntheticCorpus(work.resolve("corpus"));
                var t = TelemetryOverheadBenchmark.run(client[0], corpus, "python", "go", 80, 2, log);
                results.put("telemetry", t);
                rows.add(new Row("telemetry overhead (80 steps, 2 ABBA rounds)", "steps/s Kafka sink / no-op sink",
                        String.format("%.3f (%.2f / %.2f)", t.ratio(), t.kafkaStepsPerSecond(), t.noopStepsPerSecond()),
                        ">= 0.98"));
            }
            if (part("producer")) {
                var p = ProducerBenchmark.run(client[0], new LoadShape("bench", 32, 11008, 8, 1, 0, 10, 1, 1), 2, log);
                results.put("producer", p);
                double lg = p.stream().mapToDouble(ProducerBenchmark.Round::loadgenMBps).average().orElse(0);
                double pp = p.stream().mapToDouble(ProducerBenchmark.Round::producerPerformanceMBps).average().orElse(0);
                rows.add(new Row("producer, 7B snapshots (10 steps, 2 rounds)", "loadgen / ProducerPerformance MB/s",
                        String.format("%.2f (%.0f / %.0f)", lg / pp, lg, pp), ">= 0.8"));
            }
            if (part("specialization")) {
                SpecializationReport s = SpecializationBenchmark.run(client[0],
                        new LoadShape("bench", 32, 11008, 8, 1, 0, 1, 1, 1), List.of(1, 8), 1,
                        SpecializationBenchmark.DEFAULT_BACKLOG_WINDOWS, Map.of(), log);
                results.put("specialization", Map.of("summary", s.summary(), "live", s.live(), "backlog", s.backlog()));
                for (int r : List.of(1, 8)) {
                    var live = s.live().stream().filter(x -> x.ranks() == r && !x.warmup()).findFirst().orElseThrow();
                    var backlog = s.backlog().stream().filter(x -> x.ranks() == r).findFirst().orElseThrow();
                    rows.add(new Row("specialization, 7B window, " + r + " rank(s)", "last ack -> result (live)",
                            String.format("%.2f s (first sent -> result %.2f s)", live.tailSeconds(), live.latencySeconds()),
                            "<= 1 s (8 ranks)"));
                    rows.add(new Row("specialization, 7B window, " + r + " rank(s)", "backlog of " + backlog.windows()
                            + " windows: app / raw consume+decode",
                            String.format("%.1f (%.2f s / %.2f s)", backlog.ratio(), backlog.processSeconds(),
                                    backlog.rawSeconds()), "<= 1.5"));
                }
            }
            if (part("feedback")) {
                var f = FeedbackLatencyBenchmark.run(client[0], 300, 20, log);
                results.put("feedback", f);
                rows.add(new Row("feedback latency (300 steps at 20/s, commit " + f.settings().get("commit.interval.ms")
                        + " ms)", "TrainStep -> update applied p50 / p99", String.format("%.0f / %.0f ms", f.p50Millis(),
                        f.p99Millis()), "p99 <= 150 ms"));
            }
            if (part("observatory")) {
                var o = ObservatoryBenchmark.latency(client[0], work.resolve("observatory"), 100, 10, log);
                results.put("observatory", o);
                rows.add(new Row("event to page over SSE (100 steps at 10/s)", "p50 / p99", String.format("%.0f / %.0f ms",
                        o.p50Millis(), o.p99Millis()), ""));
            }
            if (part("soak")) {
                var s = SoakCommand.run(client[0], broker.bootstrapServers == null,
                        Duration.ofMillis((long) (soakMinutes * 60_000)), new LoadShape("soak", 32, 11008, 8, 8, 0, 1, 1, 1),
                        2, out, log);
                results.put("soak", s);
                SoakCommand.report(s).forEach(log);
                var c = s.counts();
                long maxLag = s.samples().stream().flatMap(x -> x.lag().values().stream()).mapToLong(Long::longValue)
                        .max().orElse(-1);
                rows.add(new Row(String.format("soak, %.0f min, 8 ranks, 7B", soakMinutes), "MB/s held; max lag; lost /"
                        + " duplicated", String.format("%.1f MB/s; %d records; %d / %d", s.payloadMegabytesPerSecond(),
                        maxLag, c.lost(), c.duplicated()), "lost 0, duplicated 0"));
            }
        }
        machine.put("load average at the end", loadAverage());
        report.put("table", rows);
        System.out.println();
        System.out.printf("load average %s at the start, %s at the end; %s cores%n", machine.get("load average at the start"),
                machine.get("load average at the end"), machine.get("cores"));
        System.out.println("| benchmark | figure | value | target |");
        System.out.println("|---|---|---|---|");
        rows.forEach(r -> System.out.printf("| %s | %s | %s | %s |%n", r.benchmark(), r.figure(), r.value(), r.target()));
        new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writeValue(json.toFile(), report);
        System.out.println("wrote " + json.toAbsolutePath());
        return 0;
    }

    private boolean part(String name) {
        return skip == null || !skip.contains(name);
    }

    private static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
