package io.babelflow.ops.demo;

import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.ops.train.RunPlots;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.trainer.corpus.CorpusManifest;
import io.babelflow.trainer.corpus.CorpusPreparer;
import io.babelflow.trainer.corpus.PrepareListener;
import io.babelflow.trainer.corpus.PreparedCorpus;
import io.babelflow.trainer.train.TrainOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The whole platform on one machine, closed loop: a Kafka broker, the specialization and
 * reweighting Streams apps, and a small byte-level model learning Python first and then new
 * languages from real source code, steered live by a reweighting policy.
 */
public final class Demo {
    /** New languages the demo prefers, in order; the first two the corpus has are used. */
    static final List<String> NEW_LANGUAGES = List.of("go", "cpp", "rust", "java", "ruby", "perl");

    /**
     * LAPE as in the paper but selecting the lowest-entropy 5 % of candidates instead of 1 %: the
     * demo's model has 2 x 256 FFN neurons, where 1 % is five neurons, too few to show overlap.
     */
    static final SpecializationConfig DEMO_SPECIALIZATION = SpecializationConfig.DEFAULTS
            .withLape(new io.babelflow.streams.specialization.lape.LapeParameters(0.95, 0.05, 0.95));

    /** @param port of the page and /metrics (serve's HTTP server); 0 = any free port */
    public record Settings(Path corpus, Path runDir, long steps, String policy, String bootstrapServers, Path dataDir,
            int port) {
    }

    private Demo() {
    }

    public static void run(Settings s, Consumer<String> out) throws Exception {
        if (s.steps() < 60) {
            throw new InvalidInputException("--steps must be at least 60, got " + s.steps());
        }
        if (!List.of("schedule", "exp3", "babel-tower").contains(s.policy())) {
            throw new InvalidInputException("--policy must be schedule, exp3 or babel-tower, got " + s.policy());
        }
        EmbeddedKafka broker = null;
        String bootstrap = s.bootstrapServers();
        if (bootstrap == null) {
            broker = EmbeddedKafka.start(0, s.dataDir());
            bootstrap = broker.bootstrapServers();
        }
        ClientConfig client = ClientConfig.of(bootstrap);
        Path state = Files.createTempDirectory("babelflow-demo-state");
        Observatory observatory = null;
        try {
            TopicProvisioner.ensureTopics(client, (short) 1);
            // the page first: it shows the run from its first step
            observatory = Observatory.start(StreamsDefaults.base(bootstrap, "babelflow-demo-observatory",
                    state.resolve("observatory").toString(), Map.of()), new InetSocketAddress("127.0.0.1", s.port()),
                    Duration.ofMinutes(10));
            out.accept("page: " + observatory.pageUrl());
            out.accept("metrics: " + observatory.metricsUrl());
            String log = System.getProperty("babelflow.log.file");
            out.accept("Kafka at " + bootstrap + (broker == null ? "" : " (embedded)")
                    + (log == null ? "" : "; Kafka's own log: " + log));
            PreparedCorpus corpus = corpus(s.corpus(), out);
            List<String> newLanguages = NEW_LANGUAGES.stream().filter(corpus.languageIds()::contains).limit(2).toList();
            if (!corpus.languageIds().contains("python") || newLanguages.isEmpty()) {
                throw new InvalidInputException("corpus " + s.corpus() + " needs python and at least one of "
                        + NEW_LANGUAGES + "; it has " + corpus.languageIds());
            }
            Path config = Files.writeString(Files.createTempFile("babelflow-demo", ".yaml"),
                    config(s.steps(), newLanguages, s.policy()));
            out.accept("starting the specialization and reweighting apps ...");
            try (SpecializationApp specialization = SpecializationApp.start(StreamsDefaults.base(bootstrap,
                    "babelflow-demo-specialization", state.resolve("specialization").toString(), Map.of()),
                    DEMO_SPECIALIZATION, new InetSocketAddress("127.0.0.1", 0));
                    ReweightingApp reweighting = ReweightingApp.start(StreamsDefaults.base(bootstrap,
                            "babelflow-demo-reweighting", state.resolve("reweighting").toString(), Map.of()),
                            ReweightingConfig.DEFAULTS)) {
                observatory.watch("specialization", specialization.streams()).watch("reweighting", reweighting.streams());
                awaitRunning(specialization.streams());
                awaitRunning(reweighting.streams());
                awaitRunning(observatory.streams());
                String queries = "http://127.0.0.1:" + specialization.httpAddress().getPort();
                TrainingSession session = new TrainingSession(TrainOptions.builder(s.corpus(), s.runDir())
                        .config(config).stopOnSignal(true).progress(p -> out.accept(p.line())), client);
                String runId = session.trainer().runId();
                out.accept(String.format("run %s: python first, then %s; policy %s; live queries on %s/runs/%s/summary",
                        runId, newLanguages, s.policy(), queries, runId));
                session.onMixtureApplied(u -> out.accept(String.format("mixture v%d applied: %s  (%s)", u.getVersion(),
                        round(u.getWeights()), u.getReason())));
                try (SpecializationWatcher watcher = new SpecializationWatcher(client, runId,
                        session.trainer().config().model().layers(), out)) {
                    TrainingSession.Outcome o = session.run(observatory.registry(), out);
                    Thread.sleep(3_000); // the apps finish the run's last windows
                    String summary = get(queries + "/runs/" + runId + "/summary");
                    List<Path> plots = new ArrayList<>(RunPlots.write(s.runDir()));
                    plots.add(watcher.plot(s.runDir().resolve("neurons.png")));
                    out.accept("");
                    out.accept(String.format("done: steps %d-%d (%s) in %s", o.result().firstStep(),
                            o.result().lastStep(), o.result().reason(), s.runDir()));
                    out.accept(String.format("telemetry: %d events to Kafka, %d refused; %d mixture updates applied, "
                                    + "%d rejected; %d statistics windows analysed; %d stage changes; %d dead letters",
                            o.telemetrySent(), o.telemetryFailed(), o.mixtureUpdatesApplied(),
                            o.mixtureUpdatesRejected(), watcher.windowsClosed(), watcher.stages().size(),
                            watcher.deadLetters()));
                    out.accept("specialization summary: " + summary);
                    out.accept("plots: " + plots);
                }
            }
        } finally {
            if (observatory != null) {
                observatory.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static PreparedCorpus corpus(Path dir, Consumer<String> out) throws IOException {
        if (!Files.exists(dir.resolve(PreparedCorpus.SUMMARY))) {
            out.accept("preparing corpus 'code' in " + dir + " (Python stdlib first, then other languages' sources "
                    + "from Debian packages) ...");
            var result = new CorpusPreparer(CorpusPreparer.Options.defaults().withMaxBytesPerLanguage(2L << 20),
                    new PrepareListener() {
                        @Override
                        public void sourceMissing(io.babelflow.trainer.corpus.MissingSource missing) {
                            out.accept("  (not installed: " + missing.languageId() + " - " + missing.installHint() + ")");
                        }
                    }).prepare(CorpusManifest.preset("code"), dir);
            out.accept(result.table());
        }
        return PreparedCorpus.open(dir);
    }

    /** A small model that trains in seconds per hundred steps on two CPU cores. */
    static String config(long steps, List<String> newLanguages, String policy) {
        long join = steps / 3;
        StringBuilder languages = new StringBuilder("  - {id: python, role: PRIMARY, weight: 1.0}\n");
        StringBuilder later = new StringBuilder("python=0.5");
        StringBuilder first = new StringBuilder("python=1.0");
        for (String l : newLanguages) {
            double initial = policy.equals("schedule") ? 0.0 : 0.5 / newLanguages.size();
            languages.append(String.format("  - {id: %s, role: NEW, weight: %s}%n", l, initial));
            later.append(',').append(l).append('=').append(0.5 / newLanguages.size());
            first.append(',').append(l).append("=0.0");
        }
        String feedback = switch (policy) {
            case "schedule" -> String.format("{policy: schedule, params: {phases: '0:%s;%d:%s;%d:%s', every: '10'}}",
                    first, join, first, 2 * join, later);
            case "exp3" -> "{policy: exp3, params: {every: '10', floor: '0.05'}}";
            default -> "{policy: babel-tower, params: {reduction: '0.5', primaryFloor: '0.2'}}";
        };
        return """
                # written by babelflow demo
                run: {name: demo, steps: %d, seed: 1234}
                model: {layers: 2, dModel: 64, heads: 4, ffnWidth: 256, contextLength: 64, activation: GELU}
                training: {batchSize: 8, learningRate: 3.0e-3, minLearningRate: 3.0e-4, warmupSteps: 20, decaySteps: %d,
                           weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1.0e-8, gradClipNorm: 1.0}
                languages:
                %smixture: {phases: []}
                probes: {statsEvery: 10, evalEvery: 50, evalBatchSize: 16, maxProbeWindows: 16, promptDir: null}
                checkpoint: {every: 100, keep: 2}
                logging: {every: 10}
                feedback: %s
                """.formatted(steps, steps, languages, feedback);
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (streams.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    private static String get(String url) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return "(no answer: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private static Map<String, String> round(Map<String, Double> weights) {
        Map<String, String> r = new java.util.TreeMap<>();
        weights.forEach((k, v) -> r.put(k, String.format("%.3f", v)));
        return r;
    }
}
