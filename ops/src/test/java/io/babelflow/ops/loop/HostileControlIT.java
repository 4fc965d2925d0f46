package io.babelflow.ops.loop;

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
import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.train.TrainOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test (issue #10): every kind of hostile record on the control topic during a real tiny run.
 * The run completes, exactly the two valid updates are applied, every other record is rejected, and
 * the weights in force at every step are a valid distribution.
 */
class HostileControlIT {
    static final int STEPS = 60;
    /** The trainer waits here (in its progress callback) until the last valid update is applied. */
    static final long HOLD_AT_STEP = 30;

    @TempDir
    Path dir;

    static MixtureUpdate update(String runId, long version, Map<String, Double> weights) {
        return MixtureUpdate.newBuilder().setRunId(runId).setVersion(version).setWeights(weights).setPolicy("hostile")
                .setReason("test").setBasedOnStep(0).setCreatedAt(Instant.now()).build();
    }

    static Map<String, Double> weights(Object... pairs) {
        Map<String, Double> w = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            w.put((String) pairs[i], (Double) pairs[i + 1]);
        }
        return w;
    }

    @Test
    void hostileControlRecordsNeverBreakTheRunOrTheWeightsInForce() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            Path corpus = FixtureCorpus.write(Files.createDirectories(dir.resolve("corpus")));
            Path config = Files.writeString(dir.resolve("hostile.yaml"), Files.readString(Path.of("..", "trainer",
                    "configs", "tiny.yaml")).replace("steps: 60", "steps: " + STEPS)
                    .replace("    - {fromStep: 30, weights: {python: 0.5, go: 0.5}}\n", "").replace("phases:\n", "phases: []\n"));
            CountDownLatch lastApplied = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            TrainingSession session = new TrainingSession(TrainOptions.builder(corpus, dir.resolve("run")).config(config)
                    .stopOnSignal(false).progress(p -> {
                        started.countDown();
                        if (p.step() + 1 == HOLD_AT_STEP) {
                            await(lastApplied);
                        }
                    }), client);
            session.onMixtureApplied(u -> {
                if (u.getVersion() == 2) {
                    lastApplied.countDown();
                }
            });
            String runId = session.trainer().runId();
            CompletableFuture<TrainingSession.Outcome> training = CompletableFuture.supplyAsync(() -> {
                try {
                    return session.run(null, System.err::println);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(started.await(120, TimeUnit.SECONDS), "training started");

            var serde = Topics.MIXTURE_CONTROL.valueSerde().serializer();
            List<byte[]> hostile = new ArrayList<>();
            hostile.add(serde.serialize("", update(runId, 1, weights("python", 1e308, "go", 1e308)))); // valid: 0.5/0.5
            hostile.add(serde.serialize("", update(runId, Long.MAX_VALUE, weights("python", 1.0))));
            hostile.add(serde.serialize("", update(runId, 2_000_001, weights("python", 1.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights("python", Double.NaN, "go", 1.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights("python", Double.POSITIVE_INFINITY))));
            hostile.add(serde.serialize("", update(runId, 2, weights("python", Double.NEGATIVE_INFINITY, "go", 1.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights("python", -1.0, "go", 2.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights("python", 0.0, "go", 0.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights("rust", 1.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights())));
            hostile.add("not avro".getBytes(StandardCharsets.UTF_8));
            hostile.add(serde.serialize("", update("another-run", 2, weights("go", 1.0))));
            hostile.add(serde.serialize("", update(runId, 0, weights("go", 1.0))));
            hostile.add(serde.serialize("", update(runId, -5, weights("go", 1.0))));
            hostile.add(serde.serialize("", update(runId, 1, weights("go", 1.0))));
            hostile.add(serde.serialize("", update(runId, 2, weights("python", 0.0, "go", 1.0)))); // valid
            try (var producer = new KafkaProducer<>(client.properties(), new StringSerializer(), new ByteArraySerializer())) {
                for (byte[] value : hostile) {
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), runId, value)).get();
                }
            }

            TrainingSession.Outcome outcome = training.get(300, TimeUnit.SECONDS);
            assertEquals("completed", outcome.result().reason());
            assertEquals(STEPS - 1, outcome.result().lastStep());
            assertEquals(2, outcome.mixtureUpdatesApplied());
            assertEquals(hostile.size() - 2, outcome.mixtureUpdatesRejected(), "every hostile record rejected");

            List<TrainStep> steps = TopicReader.read(client, Topics.TRAIN_STEPS, STEPS, Duration.ofSeconds(60)).stream()
                    .filter(s -> s.getRunId().equals(runId)).toList();
            assertEquals(LongStream.range(0, STEPS).boxed().toList(), steps.stream().map(TrainStep::getStep).toList());
            Map<Long, Map<String, Double>> expected = Map.of(0L, Map.of("python", 1.0, "go", 0.0),
                    1L, Map.of("python", 0.5, "go", 0.5), 2L, Map.of("python", 0.0, "go", 1.0));
            long previous = 0;
            for (TrainStep s : steps) {
                long version = s.getMixtureVersion();
                assertTrue(version >= previous, "versions never go back at step " + s.getStep());
                previous = version;
                assertEquals(expected.get(version), new HashMap<>(s.getMixtureWeights()),
                        "weights in force at step " + s.getStep() + " (version " + version + ")");
            }
            assertEquals(2, steps.get(STEPS - 1).getMixtureVersion(), "the last valid update is in force at the end");
            assertEquals(Map.of("go", steps.get(STEPS - 1).getTokens()), steps.get(STEPS - 1).getLanguageTokens());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the last valid mixture update was not applied within 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
