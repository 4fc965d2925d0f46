package io.babelflow.ops.cli;

import io.babelflow.ops.bench.ProducerBenchmark;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.schemas.ClientConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks whose figures go to docs/performance.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures.",
        subcommands = {BenchCommand.Producer.class, BenchCommand.Telemetry.class, BenchCommand.Feedback.class,
                BenchCommand.Specialization.class, BenchCommand.Lape.class, BenchCommand.Python.class,
                BenchCommand.Trainer.class, BenchCommand.Observatory.class, SoakCommand.class, BenchAllCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where a benchmark's broker comes from. */
    static final class BrokerChoice {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
                description = "Measure against this cluster (default: start an embedded broker for the run).")
        String bootstrapServers;

        AutoCloseable start(java.util.function.Consumer<ClientConfig> use) throws Exception {
            if (bootstrapServers != null) {
                use.accept(ClientConfig.of(bootstrapServers));
                return () -> { };
            }
            EmbeddedKafka kafka = EmbeddedKafka.start();
            use.accept(ClientConfig.of(kafka.bootstrapServers()));
            return kafka;
        }
    }

    @Command(name = "producer", mixinStandardHelpOptions = true,
            description = "Load generator MB/s against Kafka's ProducerPerformance, same record size and settings.")
    static final class Producer implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        BrokerChoice broker = new BrokerChoice();

        @Option(names = "--layers", defaultValue = "32") int layers;
        @Option(names = "--neurons", defaultValue = "11008") int neurons;
        @Option(names = "--languages", defaultValue = "8") int languages;
        @Option(names = "--ranks", defaultValue = "1") int ranks;
        @Option(names = "--steps", defaultValue = "10") long steps;
        @Option(names = "--stats-every", defaultValue = "1") int statsEvery;
        @Option(names = "--rounds", defaultValue = "2") int rounds;

        @Override
        public Integer call() throws Exception {
            LoadShape shape = new LoadShape("bench", layers, neurons, languages, ranks, 0, steps, statsEvery, 1);
            ClientConfig[] client = new ClientConfig[1];
            try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
                var rounds = ProducerBenchmark.run(client[0], shape, this.rounds, System.out::println);
                double lg = rounds.stream().mapToDouble(ProducerBenchmark.Round::loadgenMBps).average().orElse(0);
                double pp = rounds.stream().mapToDouble(ProducerBenchmark.Round::producerPerformanceMBps).average()
                        .orElse(0);
                System.out.printf("mean over %d rounds: loadgen %.1f MB/s, ProducerPerformance %.1f MB/s, ratio %.2f%n",
                        rounds.size(), lg, pp, lg / pp);
            }
            return 0;
        }
    }

    @Command(name = "telemetry", mixinStandardHelpOptions = true,
            description = "Trainer steps/s with the Kafka telemetry sink against a no-op sink (default small model).")
    static final class Telemetry implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        BrokerChoice broker = new BrokerChoice();

        @Option(names = "--corpus", defaultValue = "corpus/code", description = "Prepared corpus (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path corpus;
        @Option(names = "--languages", defaultValue = "python,go", split = ",", description = "Two languages of the corpus.")
        java.util.List<String> languages;
        @Option(names = "--steps", defaultValue = "150") long steps;
        @Option(names = "--rounds", defaultValue = "3") int rounds;

        @Override
        public Integer call() throws Exception {
            if (languages.size() != 2) {
                throw new io.babelflow.schemas.InvalidInputException("--languages takes two language ids");
            }
            io.babelflow.trainer.corpus.PreparedCorpus.open(corpus); // a clear error before any broker starts
            ClientConfig[] client = new ClientConfig[1];
            try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
                io.babelflow.ops.kafka.TopicProvisioner.ensureTopics(client[0], (short) 1);
                var r = io.babelflow.ops.bench.TelemetryOverheadBenchmark.run(client[0], corpus, languages.get(0),
                        languages.get(1), steps, rounds, System.out::println);
                System.out.printf("no-op sink %.3f steps/s, Kafka sink %.3f steps/s (medians); Kafka/no-op ratio per "
                                + "round %s, mean %.3f (%d steps per run)%n", r.noopStepsPerSecond(),
                        r.kafkaStepsPerSecond(), r.roundRatios().stream().map(x -> String.format("%.3f", x)).toList(),
                        r.ratio(), r.steps());
            }
            return 0;
        }
    }

    @Command(name = "feedback", mixinStandardHelpOptions = true,
            description = "Feedback latency: TrainStep published -> MixtureUpdate it caused applied by the trainer's control consumer.")
    static final class Feedback implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        BrokerChoice broker = new BrokerChoice();

        @Option(names = "--steps", defaultValue = "600") int steps;
        @Option(names = "--steps-per-second", defaultValue = "20") double stepsPerSecond;
        @Option(names = "--commit-interval-ms", split = ",", paramLabel = "MS[,MS...]",
                description = "The reweighting app's commit.interval.ms, one measurement each (default: the app's).")
        java.util.List<Integer> commitIntervals;
        @Option(names = "--load-mbps", defaultValue = "0", paramLabel = "MB/S",
                description = "Background broker load: 7B-shaped activation snapshots from the load generator at "
                        + "this rate during the measurements (default: ${DEFAULT-VALUE}).")
        double loadMbps;

        @Override
        public Integer call() throws Exception {
            if (commitIntervals != null && commitIntervals.stream().anyMatch(ms -> ms < 1)) {
                throw new io.babelflow.schemas.InvalidInputException("--commit-interval-ms values must be >= 1");
            }
            if (loadMbps < 0) {
                throw new io.babelflow.schemas.InvalidInputException("--load-mbps must be >= 0");
            }
            ClientConfig[] client = new ClientConfig[1];
            try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
                io.babelflow.ops.kafka.TopicProvisioner.ensureTopics(client[0], (short) -1);
                try (AutoCloseable load = io.babelflow.ops.bench.BackgroundLoad.start(client[0], loadMbps)) {
                    java.util.List<Integer> rounds = commitIntervals == null ? java.util.Arrays.asList((Integer) null)
                            : commitIntervals;
                    java.util.List<String> table = new java.util.ArrayList<>();
                    for (Integer ms : rounds) {
                        java.util.Map<String, Object> overrides = ms == null ? java.util.Map.of()
                                : java.util.Map.of("commit.interval.ms", ms);
                        var r = io.babelflow.ops.bench.FeedbackLatencyBenchmark.run(client[0], steps, stepsPerSecond,
                                overrides, System.out::println);
                        System.out.printf("feedback latency over %d updates: p50 %.0f ms, p99 %.0f ms, max %.0f ms %s%n",
                                r.samples(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.settings());
                        table.add(String.format("| %s | %.0f | %d | %.0f | %.0f | %.0f |",
                                r.settings().get("commit.interval.ms"), loadMbps, r.samples(), r.p50Millis(),
                                r.p99Millis(), r.maxMillis()));
                    }
                    System.out.println("| commit.interval.ms | load MB/s | updates | p50 ms | p99 ms | max ms |");
                    System.out.println("|---|---|---|---|---|---|");
                    table.forEach(System.out::println);
                }
            }
            return 0;
        }
    }

    @Command(name = "python", mixinStandardHelpOptions = true,
            description = "The Python client: watch_ffn's cost in the example step, feedback latency seen from Python.")
    static final class Python implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        BrokerChoice broker = new BrokerChoice();

        @Option(names = "--corpus", defaultValue = "corpus/code", description = "Prepared corpus with python and go (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path corpus;
        @Option(names = "--python-dir", defaultValue = "producers/python", description = "The client's folder (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path pythonDir;
        @Option(names = "--rounds", defaultValue = "4", description = "ABBA rounds of the hook benchmark.") int rounds;
        @Option(names = "--steps", defaultValue = "200", description = "Steps of the feedback run.") int steps;
        @Option(names = "--step-millis", defaultValue = "50", description = "Pace of the feedback run.") int stepMillis;

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isDirectory(corpus.resolve("python"))) {
                throw new io.babelflow.schemas.InvalidInputException("corpus " + corpus + " has no python language; run "
                        + "babelflow corpus prepare --preset code --out " + corpus);
            }
            io.babelflow.ops.bench.PythonClientBenchmark.hooks(pythonDir, corpus, rounds, System.out::println);
            ClientConfig[] client = new ClientConfig[1];
            try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
                io.babelflow.ops.kafka.TopicProvisioner.ensureTopics(client[0], (short) 1);
                var r = io.babelflow.ops.bench.PythonClientBenchmark.feedback(client[0], pythonDir, corpus, steps,
                        stepMillis, System.out::println);
                System.out.printf("feedback latency seen from Python over %d updates: p50 %.0f ms, p99 %.0f ms, "
                        + "max %.0f ms (steps paced to %d ms)%n", r.samples(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
                        stepMillis);
            }
            return 0;
        }
    }

    @Command(name = "specialization", mixinStandardHelpOptions = true,
            description = "A 7B-shaped activation snapshot from loadgen through the specialization app, 1 and 8 ranks.")
    static final class Specialization implements Callable<Integer> {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
                description = "Measure against this cluster (default: an embedded broker).")
        String bootstrapServers;
        @Option(names = "--layers", defaultValue = "32") int layers;
        @Option(names = "--neurons", defaultValue = "11008") int neurons;
        @Option(names = "--languages", defaultValue = "8") int languages;
        @Option(names = "--ranks", defaultValue = "1,8", split = ",") java.util.List<Integer> ranks;
        @Option(names = "--rounds", defaultValue = "3") int rounds;
        @Option(names = "--backlog-windows", defaultValue = "4",
                description = "Consecutive windows in each backlog measurement (default: ${DEFAULT-VALUE}).")
        int backlogWindows;
        @Option(names = "--streams-config", paramLabel = "KEY=VALUE", split = ",",
                description = "Streams settings over the app's defaults, to measure a tuning (e.g."
                        + " commit.interval.ms=200,producer.compression.type=lz4).")
        java.util.Map<String, String> streamsConfig = new java.util.LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            LoadShape shape = new LoadShape("bench", layers, neurons, languages, 1, 0, 1, 1, 1);
            var result = io.babelflow.ops.bench.SpecializationBenchmark.run(
                    bootstrapServers == null ? null : ClientConfig.of(bootstrapServers), shape, ranks, rounds,
                    backlogWindows, streamsConfig, System.out::println);
            System.out.println();
            result.summary().forEach(System.out::println);
            return 0;
        }
    }

    @Command(name = "lape", mixinStandardHelpOptions = true,
            description = "LAPE selection alone, in-process, on a synthetic window of a model shape (no Kafka).")
    static final class Lape implements Callable<Integer> {
        @Option(names = "--layers", defaultValue = "32") int layers;
        @Option(names = "--neurons", defaultValue = "11008") int neurons;
        @Option(names = "--languages", defaultValue = "8") int languages;
        @Option(names = "--runs", defaultValue = "10", description = "Timed runs after the warm-up (default: ${DEFAULT-VALUE}).")
        int runs;

        @Override
        public Integer call() {
            var lape = io.babelflow.streams.specialization.app.SpecializationConfig.DEFAULTS.lape();
            var r = io.babelflow.ops.bench.LapeBenchmark.run(layers, neurons, languages, runs, lape);
            System.out.printf(java.util.Locale.ROOT, "LapeSelector on %d layers x %d neurons x %d languages (%,d "
                    + "probabilities), %s, %d warm-up runs%n", layers, neurons, languages,
                    (long) layers * neurons * languages, lape, io.babelflow.ops.bench.LapeBenchmark.WARMUP_RUNS);
            System.out.printf(java.util.Locale.ROOT, "median %.1f ms, best %.1f ms over %d runs; bar %.4f, %d candidates,"
                    + " %d selected%n", r.medianMillis(), r.bestMillis(), runs, r.lape().probabilityBar(),
                    r.lape().candidates(), r.lape().selected());
            return 0;
        }
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = "Trainer steps/s and tokens/s on CPU (default small model), with and without activation "
                    + "statistics, the statistics' own cost per step, and peak RSS.")
    static final class Trainer implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "150", description = "Steps per timed run (default: ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--corpus", paramLabel = "DIR",
                description = "Prepared corpus (default: a synthetic two-language one; throughput does not depend on the text).")
        java.nio.file.Path corpus;

        @Override
        public Integer call() throws Exception {
            if (corpus != null) {
                io.babelflow.trainer.corpus.PreparedCorpus.open(corpus); // a clear error before anything runs
            }
            io.babelflow.trainer.bench.TrainerBenchmark.run(steps, corpus, System.out::println);
            return 0;
        }
    }

    @Command(name = "observatory", mixinStandardHelpOptions = true,
            description = {"The observatory: event-to-page latency over server-sent events; the page's API answer and the",
                    "state-store size for long 8-language runs; serve under live pages during a 7B-shaped loadgen run."})
    static final class Observatory implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        BrokerChoice broker = new BrokerChoice();

        @Option(names = "--latency-steps", defaultValue = "300") int latencySteps;
        @Option(names = "--steps-per-second", defaultValue = "10") double stepsPerSecond;
        @Option(names = "--run-steps", defaultValue = "20000,200000", split = ",",
                description = "Lengths of the runs whose page load and store size are measured (default: ${DEFAULT-VALUE}).")
        java.util.List<Long> runSteps;
        @Option(names = "--layers", defaultValue = "32") int layers;
        @Option(names = "--every", defaultValue = "100", description = "Steps between eval points and neuron windows.")
        int every;
        @Option(names = "--clients", defaultValue = "8") int clients;
        @Option(names = "--loadgen-steps", defaultValue = "100") long loadgenSteps;
        @Option(names = "--loadgen-stats-every", defaultValue = "10",
                description = "Steps between the load generator's activation snapshots (32 x 2.8 MB each).")
        int loadgenStatsEvery;
        @Option(names = "--parts", defaultValue = "latency,page,live", split = ",",
                description = "Which measurements to run (default: ${DEFAULT-VALUE}).")
        java.util.List<String> parts;

        @Override
        public Integer call() throws Exception {
            ClientConfig[] client = new ClientConfig[1];
            java.nio.file.Path state = java.nio.file.Files.createTempDirectory("babelflow-bench-observatory");
            try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
                if (parts.contains("latency")) {
                    var l = io.babelflow.ops.bench.ObservatoryBenchmark.latency(client[0], state.resolve("latency"),
                            latencySteps, stepsPerSecond, System.out::println);
                    System.out.printf("event to page (SSE): p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d steps at %.0f"
                            + " steps/s, commit interval 100 ms%n", l.p50Millis(), l.p99Millis(), l.maxMillis(), l.samples(),
                            stepsPerSecond);
                }
                for (long steps : parts.contains("page") ? runSteps : java.util.List.<Long>of()) {
                    var p = io.babelflow.ops.bench.ObservatoryBenchmark.pageLoad(client[0], state, steps, 8, layers, every,
                            System.out::println);
                    System.out.printf("run of %d steps, %d languages, %d layers: ingested in %.1f s; page's API calls %.0f ms"
                                    + " (%.1f MB); first paint in the browser %.0f ms; stores: %d buckets in %d series, %.1f MB"
                                    + " on disk%n", p.steps(), p.languages(), p.layers(), p.ingestSeconds(), p.apiMillis(),
                            p.apiBytes() / 1e6, p.firstPaintMillis(), p.bucketEntries(), p.seriesEntries(),
                            p.stateBytes() / 1e6);
                }
                if (!parts.contains("live")) {
                    return 0;
                }
                LoadShape shape = new LoadShape("bench-live", 32, 11008, 8, 1, 0, loadgenSteps, loadgenStatsEvery, 1);
                var live = io.babelflow.ops.bench.ObservatoryBenchmark.liveLoad(client[0], state.resolve("live"), clients,
                        shape, System.out::println);
                System.out.printf("%d live pages during loadgen (%d records in %.1f s, 32x11008x8): fewest events on a page"
                                + " %d, dropped connections %d, max observatory lag %d records%n", live.clients(),
                        live.loadgenRecords(), live.seconds(), live.eventsPerClientMin(), live.droppedConnections(),
                        live.maxLag());
            }
            return 0;
        }
    }
}
