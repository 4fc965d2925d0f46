package io.babelflow.ops.loop;

import io.babelflow.ops.TinyRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.TrainStep;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.kafka.TopicReader;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.train.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a real broker: trainer (tiny model, fixture corpus) → Kafka → reweighting app →
 * control topic → trainer. Asserts with known answers, never with timings.
 */
class ClosedLoopIT {
    /**
     * A tiny model trains 30+ steps a second here, far faster than a real step; the test paces it to
     * at most one step per {@link #STEP_MILLIS} (in the progress callback, called every step) so the
     * bound below means what it would for a real trainer: an update is in force within
     * {@link #APPLY_BOUND_STEPS} steps, i.e. about 2 s, of the step it was based on.
     */
    static final long STEP_MILLIS = 50;
    static final int APPLY_BOUND_STEPS = 40;

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static ClientConfig client;
    static Path corpus;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
        client = ClientConfig.of(kafka.bootstrapServers());
        TopicProvisioner.ensureTopics(client, (short) 1);
        corpus = FixtureCorpus.write(Files.createDirectories(dir.resolve("corpus")));
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /** The shipped tiny model, python then go, with the given steps and feedback section. */
    static Path config(String name, int steps, String feedback) throws Exception {
        return TinyRun.of(name, steps).feedback(feedback).writeTo(dir);
    }

    /** Last step each run (by name) has trained, from its progress callback. */
    static final Map<String, Long> TRAINED = new ConcurrentHashMap<>();

    static TrainingSession session(String name, Path config) {
        return new TrainingSession(TrainOptions.builder(corpus, dir.resolve("runs").resolve(name)).config(config)
                .stopOnSignal(false).progress(p -> {
                    TRAINED.put(name, p.step());
                    pace();
                }), client);
    }

    static long trained(String name) {
        return TRAINED.getOrDefault(name, -1L);
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after 60 s. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    /** Trains on another thread, so the test can act on the broker, the app or the control topic meanwhile. */
    static CompletableFuture<TrainingSession.Outcome> inBackground(TrainingSession session) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return session.run(null, System.err::println);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void pace() {
        try {
            Thread.sleep(STEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ReweightingApp startApp(String appId) throws InterruptedException {
        return awaitRunning(ReweightingApp.start(StreamsDefaults.base(kafka.bootstrapServers(), appId,
                dir.resolve("state-" + appId).toString(), Map.of()), ReweightingConfig.DEFAULTS));
    }

    static ReweightingApp awaitRunning(ReweightingApp app) throws InterruptedException {
        await(() -> app.streams().state() == KafkaStreams.State.RUNNING, "the reweighting app is RUNNING");
        return app;
    }

    static List<TrainStep> readSteps(String runId, int expected) {
        long deadline = System.currentTimeMillis() + 60_000;
        List<TrainStep> mine = List.of();
        while (System.currentTimeMillis() < deadline) {
            mine = TopicReader.read(client, Topics.TRAIN_STEPS, Integer.MAX_VALUE, Duration.ofSeconds(2)).stream()
                    .filter(s -> s.getRunId().equals(runId)).toList();
            if (mine.size() >= expected) {
                break;
            }
        }
        return mine;
    }

    /** The run's updates once there are {@code expected} of them on the control topic. */
    static List<MixtureUpdate> awaitUpdates(String runId, int expected) throws InterruptedException {
        List<List<MixtureUpdate>> seen = new ArrayList<>(List.of(List.of()));
        await(() -> {
            seen.set(0, updates(runId));
            return seen.get(0).size() >= expected;
        }, expected + " mixture updates of run " + runId);
        return seen.get(0);
    }

    static List<MixtureUpdate> updates(String runId) {
        return TopicReader.read(client, Topics.MIXTURE_CONTROL, Integer.MAX_VALUE, Duration.ofSeconds(3)).stream()
                .filter(u -> u.getRunId().equals(runId)).toList();
    }

    /** Every step exactly once and in order; versions in force never go back. */
    static void assertStepsExactlyOnceInOrder(List<TrainStep> steps, int expected) {
        assertEquals(LongStream.range(0, expected).boxed().toList(), steps.stream().map(TrainStep::getStep).toList());
        for (int i = 1; i < steps.size(); i++) {
            assertTrue(steps.get(i).getSequence() > steps.get(i - 1).getSequence(), "sequence increases");
            assertTrue(steps.get(i).getMixtureVersion() >= steps.get(i - 1).getMixtureVersion(), "versions never go back");
        }
    }

    /** Each update the app sent is in force within a bounded number of steps after the step it was based on. */
    static void assertUpdatesAppliedInOrder(List<MixtureUpdate> updates, List<TrainStep> steps, long lastStep) {
        for (int i = 0; i < updates.size(); i++) {
            assertEquals(i + 1, updates.get(i).getVersion(), "versions 1, 2, 3, ... without gap or duplicate");
        }
        for (MixtureUpdate u : updates) {
            long due = u.getBasedOnStep() + APPLY_BOUND_STEPS;
            if (due > lastStep) {
                continue;
            }
            TrainStep at = steps.get((int) due);
            assertTrue(at.getMixtureVersion() >= u.getVersion(), "version " + u.getVersion() + " (based on step "
                    + u.getBasedOnStep() + ") not in force by step " + due + ": " + at.getMixtureVersion());
        }
    }

    @Test
    void schedulePolicyClosesTheLoop() throws Exception {
        try (ReweightingApp app = startApp("reweighting-schedule")) {
            Path config = config("schedule", 60,
                    "{policy: schedule, params: {phases: '0:python=1.0,go=0.0;40:python=0.5,go=0.5', every: '10'}}");
            TrainingSession session = session("schedule", config);
            String runId = session.trainer().runId();
            TrainingSession.Outcome outcome = session.run(null, System.err::println);
            assertEquals(0, outcome.telemetryFailed());
            assertEquals(0, outcome.telemetryLeftInSpool());

            List<TrainStep> steps = readSteps(runId, 60);
            assertStepsExactlyOnceInOrder(steps, 60);
            // proposals every 10 steps; at step 0 and 50 the schedule equals the weights in force, so no update
            List<MixtureUpdate> updates = awaitUpdates(runId, 4);
            assertEquals(List.of(10L, 20L, 30L, 40L), updates.stream().map(MixtureUpdate::getBasedOnStep).toList());
            assertUpdatesAppliedInOrder(updates, steps, 59);
            assertEquals(outcome.mixtureUpdatesApplied(), steps.get(59).getMixtureVersion(), "every update applied");
            // the schedule's known answer: at step s (0..40) go's weight is s/80, recorded with the version in force
            for (MixtureUpdate u : updates) {
                double expectedGo = Math.min(u.getBasedOnStep(), 40) / 80.0;
                assertEquals(expectedGo, u.getWeights().get("go"), 1e-9, "go weight of version " + u.getVersion());
            }
            TrainStep last = steps.get(59);
            long goTokens = steps.stream().filter(s -> s.getMixtureWeights().getOrDefault("go", 0.0) >= 0.25)
                    .mapToLong(s -> s.getLanguageTokens().getOrDefault("go", 0L)).sum();
            assertTrue(goTokens > 0, "go is sampled once it has weight");
            assertEquals(updates.get(updates.size() - 1).getWeights().get("go"), last.getMixtureWeights().get("go"), 1e-9);
        }
    }

    @Test
    void exp3PolicyClosesTheLoop() throws Exception {
        try (ReweightingApp app = startApp("reweighting-exp3")) {
            Path config = config("exp3", 40, "{policy: exp3, params: {every: '5'}}");
            TrainingSession session = session("exp3", config);
            String runId = session.trainer().runId();
            session.run(null, System.err::println);

            List<TrainStep> steps = readSteps(runId, 40);
            assertStepsExactlyOnceInOrder(steps, 40);
            List<MixtureUpdate> updates = updates(runId);
            assertTrue(updates.size() >= 2, "exp3 sent updates: " + updates.size());
            assertUpdatesAppliedInOrder(updates, steps, 39);
            for (MixtureUpdate u : updates) {
                assertEquals("exp3", u.getPolicy());
                double sum = u.getWeights().values().stream().mapToDouble(Double::doubleValue).sum();
                assertEquals(1.0, sum, 1e-9);
            }
        }
    }

    @Test
    void aMixtureUpdateChangesTheSampledLanguagesWithinAFewStepsAndInvalidOnesAreRejected() throws Exception {
        Path config = config("manual", 40, "null");
        TrainingSession session = session("manual", config);
        String runId = session.trainer().runId();
        CompletableFuture<TrainingSession.Outcome> training = inBackground(session);
        readSteps(runId, 5); // training is under way
        var serde = Topics.MIXTURE_CONTROL.valueSerde().serializer();
        try (var producer = new KafkaProducer<>(client.properties(), new StringSerializer(), new ByteArraySerializer())) {
            List<MixtureUpdate> sent = new ArrayList<>();
            sent.add(update(runId, 1, Map.of("python", Double.NaN, "go", 1.0)));
            sent.add(update(runId, 1, Map.of("rust", 1.0)));
            sent.add(update(runId, 1, Map.of("python", 0.0, "go", 1.0))); // the valid one
            sent.add(update(runId, 1, Map.of("python", 1.0, "go", 0.0))); // not newer
            for (MixtureUpdate u : sent) {
                producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), runId, serde.serialize("", u))).get();
            }
        }
        TrainingSession.Outcome outcome = training.get();
        assertEquals(1, outcome.mixtureUpdatesApplied());
        assertEquals(3, outcome.mixtureUpdatesRejected(), "NaN, unknown language, stale version");

        List<TrainStep> steps = readSteps(runId, 40);
        assertStepsExactlyOnceInOrder(steps, 40);
        int firstGoOnly = -1;
        for (TrainStep s : steps) {
            if (s.getMixtureVersion() == 1) {
                firstGoOnly = (int) s.getStep();
                break;
            }
        }
        assertTrue(firstGoOnly > 0 && firstGoOnly < 40, "version 1 came into force at step " + firstGoOnly);
        for (TrainStep s : steps.subList(firstGoOnly, 40)) {
            assertEquals(Map.of("go", s.getTokens()), new HashMap<>(s.getLanguageTokens()),
                    "after the update only go is sampled (step " + s.getStep() + ")");
        }
        for (TrainStep s : steps.subList(0, firstGoOnly)) {
            assertEquals(0L, s.getLanguageTokens().getOrDefault("go", 0L), "before it, only python");
        }
    }

    @Test
    void reweightingAppRestartedMidRunSkipsAndDuplicatesNoVersion() throws Exception {
        var props = StreamsDefaults.base(kafka.bootstrapServers(), "reweighting-restart",
                dir.resolve("state-reweighting-restart").toString(), Map.of());
        ReweightingApp app = startApp("reweighting-restart");
        Path config = config("restart", 80,
                "{policy: schedule, params: {phases: '0:python=1.0,go=0.0;80:python=0.5,go=0.5', every: '5'}}");
        TrainingSession session = session("restart", config);
        String runId = session.trainer().runId();
        CompletableFuture<TrainingSession.Outcome> training = inBackground(session);
        readSteps(runId, 25);
        app.close();
        long closedAt = trained("restart");
        await(() -> trained("restart") >= closedAt + 10, "the trainer trains on while the app is away");
        ReweightingApp restarted = awaitRunning(ReweightingApp.start(props, ReweightingConfig.DEFAULTS));
        TrainingSession.Outcome outcome = training.get();
        // proposals every 5 steps; step 0's equals the initial weights: updates based on 5, 10, ..., 75
        List<Long> expectedBasedOn = LongStream.rangeClosed(1, 15).map(i -> 5 * i).boxed().toList();
        List<MixtureUpdate> all = awaitUpdates(runId, expectedBasedOn.size()); // the restarted app catches up
        restarted.close();

        List<TrainStep> steps = readSteps(runId, 80);
        assertStepsExactlyOnceInOrder(steps, 80);
        List<MixtureUpdate> updates = updates(runId);
        assertEquals(all, updates, "nothing more after the run's last proposal");
        assertEquals(LongStream.rangeClosed(1, 15).boxed().toList(), updates.stream().map(MixtureUpdate::getVersion)
                .toList(), "no version duplicated or skipped across the restart");
        assertEquals(expectedBasedOn, updates.stream().map(MixtureUpdate::getBasedOnStep).toList());
        assertEquals(0, outcome.telemetryFailed());
    }

    @Test
    void brokerStoppedMidRunTrainingGoesOnAndEveryStepArrivesOnce() throws Exception {
        Path config = config("outage", 200, "null");
        TrainingSession session = session("outage", config);
        String runId = session.trainer().runId();
        CompletableFuture<TrainingSession.Outcome> training = inBackground(session);
        readSteps(runId, 20);
        kafka.stop(); // the trainer keeps training; its telemetry waits in memory and the run folder's spool
        long stoppedAt = trained("outage");
        await(() -> trained("outage") >= stoppedAt + 40, "40 more steps trained while the broker is down");
        assertTrue(trained("outage") < 199, "the run is not over yet, so the restart below happens mid-run");
        kafka.restart();
        TrainingSession.Outcome outcome = training.get();
        assertEquals(0, outcome.telemetryFailed());
        assertEquals(0, outcome.telemetryLeftInSpool(), "everything delivered after the restart");
        assertStepsExactlyOnceInOrder(readSteps(runId, 200), 200);
    }

    static MixtureUpdate update(String runId, long version, Map<String, Double> weights) {
        return MixtureUpdate.newBuilder().setRunId(runId).setVersion(version).setWeights(weights).setPolicy("test")
                .setReason("test").setBasedOnStep(0).setCreatedAt(Instant.now()).build();
    }
}
