package io.babelflow.ops.metrics;

import io.babelflow.ops.TinyRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.train.TrainOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server scrapes a running loop (embedded broker; serve, i.e. the observatory with
 * its HTTP server; the specialization and reweighting apps; a tiny paced training run, each serving
 * /metrics as its own process would), then every PromQL expression of every shipped dashboard panel
 * is run through Prometheus' HTTP API and must return data; every live exposition passes
 * {@code promtool check metrics}.
 */
class PrometheusDashboardsIT {
    static final int STEPS = 120;
    static final long STEP_MILLIS = 50;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyDashboardQueryReturnsDataFromARunningLoop() throws Exception {
        Instant start = Instant.now();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            Path corpus = FixtureCorpus.write(Files.createDirectories(dir.resolve("corpus")));

            PrometheusRegistry specializationMetrics = new PrometheusRegistry();
            PrometheusRegistry reweightingMetrics = new PrometheusRegistry();
            PrometheusRegistry trainerMetrics = new PrometheusRegistry();
            try (Observatory observatory = Observatory.start(StreamsDefaults.base(kafka.bootstrapServers(),
                         "it-observatory", dir.resolve("state-o").toString(), Map.of()),
                         new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(10)); // babelflow serve
                 SpecializationApp specialization = SpecializationApp.start(StreamsDefaults.base(
                         kafka.bootstrapServers(), "it-specialization", dir.resolve("state-s").toString(), Map.of()),
                         SpecializationConfig.DEFAULTS, new InetSocketAddress("127.0.0.1", 0));
                 ReweightingApp reweighting = ReweightingApp.start(StreamsDefaults.base(kafka.bootstrapServers(),
                         "it-reweighting", dir.resolve("state-r").toString(), Map.of()), ReweightingConfig.DEFAULTS);
                 MetricsServer specializationServer = MetricsServer.start(0, specializationMetrics);
                 MetricsServer reweightingServer = MetricsServer.start(0, reweightingMetrics);
                 MetricsServer trainerServer = MetricsServer.start(0, trainerMetrics)) {
                StreamsMetricsCollector.register(specializationMetrics, "specialization", specialization.streams());
                StreamsMetricsCollector.register(reweightingMetrics, "reweighting", reweighting.streams());
                awaitRunning(specialization.streams());
                awaitRunning(reweighting.streams());
                awaitRunning(observatory.streams());
                Map<String, List<String>> jobs = new LinkedHashMap<>();
                jobs.put("babelflow-serve", List.of("127.0.0.1:" + observatory.port()));
                jobs.put("babelflow-trainer", List.of(target(trainerServer)));
                jobs.put("babelflow-streams", List.of(target(specializationServer), target(reweightingServer)));
                try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), jobs)) {
                    TrainingSession session = new TrainingSession(TrainOptions.builder(corpus, dir.resolve("run"))
                            .config(config()).stopOnSignal(false).progress(p -> pace()), client);
                    String runId = session.trainer().runId();
                    CompletableFuture<TrainingSession.Outcome> training = CompletableFuture.supplyAsync(() -> {
                        try {
                            return session.run(trainerMetrics, System.err::println);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    awaitTrainerScraped(prometheus, runId, start);
                    assertPassesCheckMetrics(target(trainerServer)); // while the trainer runs: its series are all there
                    poison(client);
                    assertEquals(STEPS - 1, training.get(5, TimeUnit.MINUTES).result().lastStep());
                    stageChange(client, runId); // the tiny run is too short for the specialization app to call one
                    assertPassesCheckMetrics(target(specializationServer));
                    assertPassesCheckMetrics(target(reweightingServer));
                    assertPassesCheckMetrics("127.0.0.1:" + observatory.port());
                    assertEveryPanelQueryReturnsData(prometheus, runId, start);
                }
            }
        }
    }

    private void assertEveryPanelQueryReturnsData(PrometheusServer prometheus, String runId, Instant start)
            throws Exception {
        List<Dashboards.Query> queries = Dashboards.queries();
        assertTrue(queries.size() > 20, "dashboards have " + queries.size() + " queries");
        List<String> empty = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(60);
        for (Dashboards.Query q : queries) {
            String expr = q.expr().replace("$run", runId).replace("$language", ".*").replace("$__rate_interval", "5s");
            while (prometheus.queryRange(expr, start, Instant.now()).isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(500); // a scrape is at most a second away
            }
            if (prometheus.queryRange(expr, start, Instant.now()).isEmpty()) {
                empty.add(q + "  [as run: " + expr + "]");
            }
        }
        System.out.printf("%d dashboard queries, %d without data%n", queries.size(), empty.size());
        assertEquals(List.of(), empty, "dashboard queries without data; targets: " + prometheus.targets());
    }

    private static void awaitTrainerScraped(PrometheusServer prometheus, String runId, Instant start) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (prometheus.queryRange("babelflow_trainer_step{run=\"" + runId + "\"} >= 5", start, Instant.now()).isEmpty()) {
            assertTrue(Instant.now().isBefore(deadline), "Prometheus never saw the trainer at step 5");
            Thread.sleep(200);
        }
    }

    private void assertPassesCheckMetrics(String hostPort) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Promtool.Result check = Promtool.run(body, "check", "metrics");
        assertEquals(0, check.exit(), check.output() + "\n" + body);
    }

    /** A record no app can decode: the dead-letter path has something to count. */
    private static void poison(ClientConfig client) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client.properties(Map.of()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAIN_STEPS.name(), "it-poison".getBytes(), new byte[] {1, 2, 3}));
        }
    }

    /** A Babel Tower stage for the run's new language, as the specialization app publishes it. */
    private static void stageChange(ClientConfig client, String runId) {
        StageChange change = StageChange.newBuilder().setRunId(runId).setLanguage("go").setTo(Stage.TRANSLATION)
                .setStep(STEPS - 1).setSignals(Map.of()).setReason("PrometheusDashboardsIT").setCreatedAt(Instant.now())
                .build();
        try (KafkaProducer<String, StageChange> producer = new KafkaProducer<>(client.properties(Map.of()),
                Topics.STAGE_CHANGES.keySerde().serializer(), Topics.STAGE_CHANGES.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.STAGE_CHANGES.name(), runId, change));
        }
    }

    private static String target(MetricsServer server) {
        return "127.0.0.1:" + server.port();
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            assertTrue(Instant.now().isBefore(deadline), "Streams app not RUNNING: " + streams.state());
            Thread.sleep(50);
        }
    }

    /** Keeps the tiny model at about the pace of a real one, so the run spans many scrapes. */
    private static void pace() {
        try {
            Thread.sleep(STEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path config() throws Exception {
        return TinyRun.of("prometheus-it", STEPS).evalEvery(20)
                .feedback("{policy: schedule, params: {phases: '0:python=1.0,go=0.0;60:python=0.5,go=0.5', every: '10'}}")
                .writeTo(dir);
    }
}
