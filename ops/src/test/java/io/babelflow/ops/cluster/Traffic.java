package io.babelflow.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.TrainStep;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.train.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the fault tests publish at once: a 4-rank load generator run (known windows) and a real tiny
 * trainer whose schedule policy makes the reweighting app send a mixture update every 5 steps; and
 * the exact-once checks on what came out.
 */
final class Traffic {
    static final int RANKS = 4;
    static final int LAYERS = 4;
    static final int STATS_EVERY = 5;
    static final int TRAINER_LAYERS = 2;
    static final int TRAINER_STATS_EVERY = 10;
    static final int UPDATE_EVERY = 5;
    /** A real step takes far longer than the tiny model's; paced so the run spans the fault. */
    static final long TRAINER_STEP_MILLIS = 100;

    final String loadgenRun;
    final String trainerRun;
    private final long loadgenSteps;
    private final int trainerSteps;
    private final CompletableFuture<LoadGenerator.Result> loadgen;
    private final CompletableFuture<TrainingSession.Outcome> trainer;

    private Traffic(String loadgenRun, String trainerRun, long loadgenSteps, int trainerSteps,
            CompletableFuture<LoadGenerator.Result> loadgen, CompletableFuture<TrainingSession.Outcome> trainer) {
        this.loadgenRun = loadgenRun;
        this.trainerRun = trainerRun;
        this.loadgenSteps = loadgenSteps;
        this.trainerSteps = trainerSteps;
        this.loadgen = loadgen;
        this.trainer = trainer;
    }

    static Traffic start(ClientConfig client, Path dir, String name, long loadgenSteps, double stepsPerSecond,
            int trainerSteps) throws Exception {
        LoadShape shape = new LoadShape("loadgen-" + name, LAYERS, 256, 3, RANKS, stepsPerSecond, loadgenSteps,
                STATS_EVERY, 3);
        CompletableFuture<LoadGenerator.Result> loadgen = CompletableFuture.supplyAsync(() -> {
            try (var producer = new KafkaProducer<>(TelemetryProducerConfig.of(client, Duration.ofSeconds(120)),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                return new LoadGenerator(shape).run(producer, line -> { });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Path corpus = dir.resolve("corpus");
        if (!Files.exists(corpus)) {
            FixtureCorpus.write(Files.createDirectories(corpus));
        }
        TrainingSession session = new TrainingSession(TrainOptions.builder(corpus, dir.resolve("runs").resolve(name))
                .config(trainerConfig(dir, name, trainerSteps)).stopOnSignal(false).progress(p -> pace()), client);
        CompletableFuture<TrainingSession.Outcome> trainer = CompletableFuture.supplyAsync(() -> {
            try {
                return session.run(null, line -> { });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return new Traffic(shape.runId(), session.trainer().runId(), loadgenSteps, trainerSteps, loadgen, trainer);
    }

    private static Path trainerConfig(Path dir, String name, int steps) throws Exception {
        String yaml = """
                run: {name: %s, steps: %d, seed: 7}
                model: {layers: %d, dModel: 32, heads: 2, ffnWidth: 64, contextLength: 32, activation: GELU}
                training: {batchSize: 4, learningRate: 3.0e-3, minLearningRate: 3.0e-4, warmupSteps: 5, decaySteps: %d,
                           weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1.0e-8, gradClipNorm: 1.0}
                languages:
                  - {id: python, role: PRIMARY, weight: 1.0}
                  - {id: go, role: NEW, weight: 0.0}
                mixture: {phases: []}
                probes: {statsEvery: %d, evalEvery: 1000, evalBatchSize: 8, maxProbeWindows: 4, promptDir: null}
                checkpoint: {every: 1000, keep: 1}
                logging: {every: 1}
                feedback: {policy: schedule, params: {phases: '0:python=1.0,go=0.0;%d:python=0.5,go=0.5', every: '%d'}}
                """.formatted(name, steps, TRAINER_LAYERS, steps, TRAINER_STATS_EVERY, steps / 2, UPDATE_EVERY);
        return Files.writeString(dir.resolve(name + ".yaml"), yaml);
    }

    private static void pace() {
        try {
            Thread.sleep(TRAINER_STEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void awaitLoadgenSteps(int steps, OutputWatch watch) throws InterruptedException {
        watch.await("loadgen step " + steps, () -> watch.of(Topics.TRAIN_STEPS, loadgenRun).size() >= steps * RANKS,
                Duration.ofMinutes(3));
    }

    void awaitTrainerSteps(int steps, OutputWatch watch) throws InterruptedException {
        watch.await("trainer step " + steps, () -> watch.of(Topics.TRAIN_STEPS, trainerRun).size() >= steps,
                Duration.ofMinutes(3));
    }

    void awaitMixtureVersions(int versions, OutputWatch watch) throws InterruptedException {
        watch.await(versions + " mixture versions", () -> watch.of(Topics.MIXTURE_CONTROL, trainerRun).size() >= versions,
                Duration.ofMinutes(3));
    }

    /** Both publishers finished, nothing failed or left in a spool. */
    void await(Duration timeout) throws Exception {
        LoadGenerator.Result sent = loadgen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(0, sent.failed(), "loadgen sends failed");
        TrainingSession.Outcome outcome = trainer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(0, outcome.telemetryFailed(), "trainer telemetry failed");
        assertEquals(0, outcome.telemetryLeftInSpool(), "trainer telemetry left in the spool");
    }

    /** Every step, window and mixture version exactly once, with the known windows and schedule. */
    void assertExactlyOnce(OutputWatch watch, Duration timeout) throws InterruptedException {
        long loadgenWindows = loadgenSteps / STATS_EVERY * LAYERS;
        long trainerWindows = (long) trainerSteps / TRAINER_STATS_EVERY * TRAINER_LAYERS;
        watch.awaitOrTimeOut(() -> watch.of(Topics.TRAIN_STEPS, loadgenRun).size() >= loadgenSteps * RANKS
                && watch.of(Topics.TRAIN_STEPS, trainerRun).size() >= trainerSteps
                && watch.of(Topics.NEURON_SPECIALIZATION, loadgenRun).size() >= loadgenWindows
                && watch.of(Topics.NEURON_SPECIALIZATION, trainerRun).size() >= trainerWindows, timeout);

        List<TrainStep> steps = watch.of(Topics.TRAIN_STEPS, loadgenRun);
        for (int rank = 0; rank < RANKS; rank++) {
            int r = rank;
            assertEquals(LongStream.range(0, loadgenSteps).boxed().toList(), steps.stream().filter(s -> s.getRank() == r)
                    .map(TrainStep::getStep).sorted().toList(), "loadgen rank " + rank + ": every step once");
        }
        List<Long> sequences = watch.of(Topics.TRAIN_STEPS, trainerRun).stream().map(TrainStep::getSequence).toList();
        assertEquals(trainerSteps, sequences.size(), "trainer steps");
        assertEquals(trainerSteps, Set.copyOf(sequences).size(), "no trainer step twice");
        assertEquals(LongStream.range(0, trainerSteps).boxed().toList(), watch.of(Topics.TRAIN_STEPS, trainerRun).stream()
                .map(TrainStep::getStep).sorted().toList());

        assertWindows(watch.of(Topics.NEURON_SPECIALIZATION, loadgenRun), LAYERS, loadgenSteps / STATS_EVERY, STATS_EVERY);
        assertWindows(watch.of(Topics.NEURON_SPECIALIZATION, trainerRun), TRAINER_LAYERS,
                trainerSteps / TRAINER_STATS_EVERY, TRAINER_STATS_EVERY);

        List<MixtureUpdate> updates = watch.of(Topics.MIXTURE_CONTROL, trainerRun);
        assertTrue(updates.size() >= 3, "the policy sent updates: " + updates.size());
        assertEquals(LongStream.rangeClosed(1, updates.size()).boxed().toList(), ClusterFaultsIT.versions(updates),
                "versions 1, 2, 3, ... each once, in order");
        for (MixtureUpdate u : updates) {
            double expectedGo = Math.min(u.getBasedOnStep(), trainerSteps / 2) / (double) trainerSteps;
            assertEquals(expectedGo, u.getWeights().get("go"), 1e-9, "schedule's go weight at version " + u.getVersion());
        }
    }

    private static void assertWindows(List<NeuronSpecialization> windows, int layers, long count, int every) {
        Set<String> expected = new HashSet<>();
        for (long w = 0; w < count; w++) {
            for (int layer = 0; layer < layers; layer++) {
                expected.add(layer + "@" + ((w + 1) * every - 1));
            }
        }
        List<String> seen = windows.stream().map(n -> n.getLayer() + "@" + n.getWindowEnd()).toList();
        assertEquals(expected.size(), seen.size(), "windows x layers, none twice: " + ClusterFaultsIT.describe(windows));
        assertEquals(expected, Set.copyOf(seen), "every window of every layer");
    }
}
