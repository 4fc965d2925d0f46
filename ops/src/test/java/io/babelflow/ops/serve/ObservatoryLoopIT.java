package io.babelflow.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.ops.TinyRun;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
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
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in headless Chromium against the demo's loop, running: a tiny trainer through Kafka, the
 * specialization, reweighting and observatory apps. The page opens while the run trains and follows
 * it live; every chart gets data; a fork of the run is listed with its parent, drawn over the
 * parent's curve up to the fork step, and compared with it. Screenshots: {@code ops/target/observatory/}.
 */
class ObservatoryLoopIT {
    private static final Path SHOTS = Path.of("target", "observatory");
    private static final int STEPS = 100;
    private static final int FORK_STEP = 50;
    /**
     * As the demo: the config starts half Go, the schedule moves to Python alone at once (its first
     * update lands a few steps in), and Go comes back at step 40: a late language with a few early steps.
     */
    private static final String SCHEDULE = "{policy: schedule, params: {phases:"
            + " '0:python=1.0;39:python=1.0;40:python=0.5,go=0.5', every: '10'}}";

    @TempDir
    Path dir;

    @Test
    void thePageFollowsARunningLoopAndOverlaysAFork() throws Exception {
        assumeTrue(HeadlessChromium.available(), "chromium is not installed (apt-get install -y chromium)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            Path corpus = FixtureCorpus.write(Files.createDirectories(dir.resolve("corpus")));
            try (Observatory observatory = Observatory.start(StreamsDefaults.base(kafka.bootstrapServers(),
                         "loop-it-observatory", dir.resolve("state-o").toString(), Map.of()),
                         new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(10));
                 SpecializationApp specialization = SpecializationApp.start(StreamsDefaults.base(
                         kafka.bootstrapServers(), "loop-it-specialization", dir.resolve("state-s").toString(), Map.of()),
                         SpecializationConfig.DEFAULTS, new InetSocketAddress("127.0.0.1", 0));
                 ReweightingApp reweighting = ReweightingApp.start(StreamsDefaults.base(kafka.bootstrapServers(),
                         "loop-it-reweighting", dir.resolve("state-r").toString(), Map.of()), ReweightingConfig.DEFAULTS)) {
                observatory.watch("specialization", specialization.streams()).watch("reweighting", reweighting.streams());
                for (KafkaStreams s : new KafkaStreams[] {observatory.streams(), specialization.streams(), reweighting.streams()}) {
                    await(() -> s.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(60), "every app RUNNING");
                }
                Path parentDir = dir.resolve("runs/parent");
                Path config = TinyRun.of("loop-parent", STEPS).evalEvery(20).checkpoints(FORK_STEP, 3).feedback(SCHEDULE).writeTo(dir);
                Files.writeString(config, Files.readString(config).replace("weight: 1.0}", "weight: 0.5}")
                        .replace("weight: 0.0}", "weight: 0.5}"));
                TrainingSession parent = session(corpus, parentDir, config, null, client);
                String parentId = parent.trainer().runId();
                CompletableFuture<TrainingSession.Outcome> training = inBackground(parent);

                try (HeadlessChromium page = new HeadlessChromium(observatory.pageUrl() + "#run=" + parentId, 1400, 1900)) {
                    // opened while the run trains: it is listed as running and follows without a reload
                    page.waitFor("document.body.dataset.loaded === '" + parentId + "'", Duration.ofSeconds(60));
                    page.eval("window.notReloaded = true");
                    long shown = page.eval("BF_STATE.data.get('" + parentId + "').view.lastStep").asLong();
                    assertTrue(shown < STEPS - 11, "the page opened while the run trained (step " + shown + ")");
                    assertEquals("running", page.eval("BF_STATE.data.get('" + parentId + "').view.state").asText());
                    page.waitFor("[...document.querySelectorAll('#runs li[data-run]')].some(li => li.dataset.run === '"
                            + parentId + "')", Duration.ofSeconds(30));
                    page.waitFor("BF_STATE.updates > 0 && BF_STATE.data.get('" + parentId + "').view.lastStep >= " + (shown + 10)
                            + " && document.querySelector('#live').textContent === 'live'", Duration.ofSeconds(60));
                    page.screenshot(SHOTS.resolve("loop-live.png"));
                    page.waitFor("BF_CHARTS.transfer.plot", Duration.ofSeconds(60)); // from the first neuron window on
                    ChartChecks.assertTransferAxisIsAFraction(page);

                    assertEquals(STEPS - 1, training.get(5, TimeUnit.MINUTES).result().lastStep());
                    stageChange(client, parentId); // the tiny run is too short for the specialization app to call one
                    page.waitFor("window.notReloaded && document.body.dataset.lossPoints > 0 && document.body.dataset.mixturePoints > 0"
                            + " && document.body.dataset.neuronCells > 0 && document.body.dataset.wlCells > 0"
                            + " && document.querySelector('#chart-transfer .u-over') && document.querySelector('#chart-wl .u-over')"
                            + " && document.querySelectorAll('#overlap td').length === 4 && document.querySelectorAll('#stages .seg').length > 0"
                            + " && BF_STATE.data.get('" + parentId + "').view.lastStep === " + (STEPS - 1)
                            + " && document.querySelector('#health').textContent.includes('specialization')", Duration.ofSeconds(90));
                    page.screenshot(SHOTS.resolve("loop-run.png"));
                    ChartChecks.assertChartsMatchTheirData(page, parentId, "python", "go", 40);

                    // a fork from the parent's checkpoint, with its own mixture
                    TrainingSession fork = session(corpus, dir.resolve("runs/fork"), TinyRun.of("loop-fork", STEPS)
                            .evalEvery(20).feedback("{policy: schedule, params: {phases: '0:python=0.2,go=0.8', every: '10'}}")
                            .writeTo(dir), parentDir, client);
                    String forkId = fork.trainer().runId();
                    assertEquals(STEPS - 1, fork.run(null, System.err::println).result().lastStep());
                    page.waitFor("[...document.querySelectorAll('#runs li[data-run]')].some(li => li.dataset.run === '" + forkId
                            + "' && li.textContent.includes('fork of " + parentId + " at step " + FORK_STEP + "'))", Duration.ofSeconds(30));
                    page.eval("document.querySelector('#runs li[data-run=\"" + forkId + "\"]').click()");
                    page.waitFor("document.body.dataset.loaded === '" + forkId + "' && BF_STATE.data.get('" + forkId
                            + "').view.lastStep === " + (STEPS - 1), Duration.ofSeconds(30));
                    ChartChecks.assertParentDrawnUnderTheFork(page, forkId, parentId, FORK_STEP);
                    page.screenshot(SHOTS.resolve("loop-fork.png"));

                    page.eval("document.querySelector('#runs li[data-run=\"" + parentId + "\"] input').click()");
                    page.waitFor("[...document.querySelectorAll('#chart-loss .u-legend .u-label')].some(l => l.textContent === 'all · "
                            + parentId + "')", Duration.ofSeconds(30));
                    ChartChecks.assertComparedByStep(page, forkId, parentId, FORK_STEP, STEPS);
                    page.screenshot(SHOTS.resolve("loop-compare.png"));
                }
            }
        }
    }

    private TrainingSession session(Path corpus, Path runDir, Path config, Path forkFrom, ClientConfig client) {
        TrainOptions.Builder options = TrainOptions.builder(corpus, runDir).config(config).stopOnSignal(false)
                .progress(p -> pace());
        if (forkFrom != null) {
            options.forkFrom(forkFrom, FORK_STEP);
        }
        return new TrainingSession(options, client);
    }

    private static CompletableFuture<TrainingSession.Outcome> inBackground(TrainingSession session) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return session.run(null, System.err::println);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** About a real trainer's pace, so the page sees the run progress. */
    private static void pace() {
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stageChange(ClientConfig client, String runId) {
        StageChange change = StageChange.newBuilder().setRunId(runId).setLanguage("go").setTo(Stage.TRANSLATION)
                .setStep(60).setSignals(Map.of()).setReason("ObservatoryLoopIT").setCreatedAt(Instant.now()).build();
        try (KafkaProducer<String, StageChange> producer = new KafkaProducer<>(client.properties(Map.of()),
                Topics.STAGE_CHANGES.keySerde().serializer(), Topics.STAGE_CHANGES.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.STAGE_CHANGES.name(), runId, change));
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}
