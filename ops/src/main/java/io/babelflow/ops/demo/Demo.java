package io.babelflow.ops.demo;

import io.babelflow.events.LanguageRole;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.ops.train.RunPlots;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.Policies;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.trainer.config.RunConfig;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The whole platform on one machine, closed loop: a Kafka broker, the specialization and
 * reweighting Streams apps, and a small byte-level model learning Python first and then new
 * languages from real source code, steered live by a reweighting policy. The run is
 * {@link #CONFIG}, like any other run's config a visible file.
 */
public final class Demo {
    /** The demo's run config, relative to the project folder. */
    public static final String CONFIG = "trainer/configs/demo.yaml";
    /** How long an app may take to reach RUNNING, and the apps to analyse the run's last window. */
    static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * LAPE as in the paper but selecting the lowest-entropy 5 % of candidates instead of 1 %: the
     * demo's model has 2 x 256 FFN neurons, where 1 % is five neurons, too few to show overlap.
     */
    static final SpecializationConfig DEMO_SPECIALIZATION = SpecializationConfig.DEFAULTS
            .withLape(new io.babelflow.streams.specialization.lape.LapeParameters(0.95, 0.05, 0.95));

    /**
     * @param steps  overrides the config's run.steps; null keeps it
     * @param policy replaces the config's feedback policy by this one with its default parameters; null keeps it
     * @param port   of the page and /metrics (serve's HTTP server); 0 = any free port
     */
    public record Settings(Path config, Path corpus, Path runDir, Long steps, String policy, String bootstrapServers,
            Path dataDir, int port) {
    }

    private Demo() {
    }

    public static void run(Settings s, Consumer<String> out) throws Exception {
        RunConfig config = config(s);
        PreparedCorpus corpus = corpus(s.corpus(), out);
        List<String> missing = config.languageIds().stream().filter(l -> !corpus.languageIds().contains(l)).toList();
        if (!missing.isEmpty()) {
            throw new InvalidInputException("corpus " + s.corpus() + " has no " + missing + " (it has "
                    + corpus.languageIds() + "); install their sources and prepare it again, or pass a --config "
                    + "whose languages it has");
        }
        Path temp = Files.createTempDirectory("babelflow-demo");
        EmbeddedKafka broker = null;
        Observatory observatory = null;
        try {
            Path configFile = Files.writeString(temp.resolve("demo.yaml"), config.toYaml());
            String bootstrap = s.bootstrapServers();
            if (bootstrap == null) {
                out.accept("starting an embedded Kafka broker ...");
                broker = EmbeddedKafka.start(0, s.dataDir());
                bootstrap = broker.bootstrapServers();
            }
            ClientConfig client = ClientConfig.of(bootstrap);
            TopicProvisioner.ensureTopics(client, (short) 1);
            Path state = temp.resolve("state");
            // the page first: it shows the run from its first step
            observatory = Observatory.start(StreamsDefaults.base(bootstrap, "babelflow-demo-observatory",
                    state.resolve("observatory").toString(), Map.of()), new InetSocketAddress("127.0.0.1", s.port()),
                    Duration.ofMinutes(10));
            out.accept("page: " + observatory.pageUrl());
            out.accept("metrics: " + observatory.metricsUrl());
            String log = System.getProperty("babelflow.log.file");
            out.accept("Kafka at " + bootstrap + (broker == null ? "" : " (embedded)")
                    + (log == null ? "" : "; Kafka's own log: " + log));
            out.accept("starting the specialization and reweighting apps ...");
            try (SpecializationApp specialization = SpecializationApp.start(StreamsDefaults.base(bootstrap,
                    "babelflow-demo-specialization", state.resolve("specialization").toString(), Map.of()),
                    DEMO_SPECIALIZATION, new InetSocketAddress("127.0.0.1", 0));
                    ReweightingApp reweighting = ReweightingApp.start(ReweightingApp.streamsConfig(bootstrap,
                            "babelflow-demo-reweighting", state.resolve("reweighting").toString(), Map.of()),
                            ReweightingConfig.DEFAULTS)) {
                observatory.watch("specialization", specialization.streams()).watch("reweighting", reweighting.streams());
                awaitRunning("specialization", specialization.streams());
                awaitRunning("reweighting", reweighting.streams());
                awaitRunning("observatory", observatory.streams());
                train(s, configFile, client, "http://127.0.0.1:" + specialization.httpAddress().getPort(),
                        observatory, out);
            }
        } finally {
            if (observatory != null) {
                observatory.close();
            }
            if (broker != null) {
                broker.close();
            }
            deleteRecursively(temp);
        }
    }

    /** The demo's config with the settings' overrides, validated. */
    static RunConfig config(Settings s) {
        RunConfig config = RunConfig.load(s.config());
        if (s.steps() != null) {
            if (s.steps() < 60) {
                throw new InvalidInputException("--steps must be at least 60, got " + s.steps());
            }
            config = config.withSteps(s.steps());
        }
        if (s.policy() != null) {
            if (!Policies.names().contains(s.policy())) {
                throw new InvalidInputException("--policy must be one of " + String.join(", ", Policies.names())
                        + ", got " + s.policy());
            }
            if (config.feedback() == null || !config.feedback().policy().equals(s.policy())) {
                config = config.withFeedback(new RunConfig.Feedback(s.policy(), Map.of()));
            }
        }
        return config.validate(s.config().toString());
    }

    private static void train(Settings s, Path config, ClientConfig client, String queries, Observatory observatory,
            Consumer<String> out) throws Exception {
        TrainingSession session = new TrainingSession(TrainOptions.builder(s.corpus(), s.runDir())
                .config(config).stopOnSignal(true).progress(p -> out.accept(p.line())), client);
        String runId = session.trainer().runId();
        RunConfig run = session.trainer().config();
        out.accept(String.format("run %s: %s first, then %s; policy %s; live queries on %s/runs/%s/summary",
                runId, run.primaryLanguage(), run.languagesWithRole(LanguageRole.NEW), run.feedback() == null ? "none" : run.feedback().policy(),
                queries, runId));
        session.onMixtureApplied(u -> out.accept(String.format("mixture v%d applied: %s  (%s)", u.getVersion(),
                round(u.getWeights()), u.getReason())));
        try (SpecializationWatcher watcher = new SpecializationWatcher(client, runId, run.model().layers(), out)) {
            TrainingSession.Outcome o = session.run(observatory.registry(), out);
            long lastWindowEnd = o.result().lastStep();
            if (o.result().reason().equals("completed") && !watcher.awaitWindowEnding(lastWindowEnd, WAIT)) {
                out.accept("warning: the window ending at step " + lastWindowEnd + " was not analysed within "
                        + WAIT.toSeconds() + " s; the summary below may miss it");
            }
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

    /** Opens the prepared corpus in {@code dir}, preparing the "code" preset there (2 MiB a language) when absent. */
    public static PreparedCorpus corpus(Path dir, Consumer<String> out) throws IOException {
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

    /** Waits for RUNNING; an app that does not get there (or fails) ends the demo with the reason. */
    private static void awaitRunning(String name, KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (!streams.state().isRunningOrRebalancing() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + name + " app did not reach RUNNING within " + WAIT.toSeconds()
                        + " s (state " + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
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
