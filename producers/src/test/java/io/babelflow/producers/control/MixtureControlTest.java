package io.babelflow.producers.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** MixtureControl against Kafka's MockConsumer: which updates it applies, rejects or skips, and its retries. */
class MixtureControlTest {
    private static final String TOPIC = Topics.MIXTURE_CONTROL.name();
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final AvroSerde<MixtureUpdate> SERDE = AvroSerde.of(MixtureUpdate.class);

    /** Stands in for the trainer's sampler: takes what it is given and remembers the versions. */
    static final class RecordingTarget implements MixtureTarget {
        final List<Long> versions = new CopyOnWriteArrayList<>();
        volatile long version;
        volatile Map<String, Double> weights = Map.of("python", 1.0);

        RecordingTarget(long version) {
            this.version = version;
        }

        @Override
        public Set<String> languages() {
            return Set.of("python", "go");
        }

        @Override
        public long version() {
            return version;
        }

        @Override
        public Optional<String> apply(long v, Map<String, Double> w) {
            versions.add(v);
            version = v;
            weights = w;
            return Optional.empty();
        }
    }

    private static MockConsumer<byte[], byte[]> consumer() {
        return new MockConsumer<>("earliest");
    }

    private static void topicAppears(MockConsumer<byte[], byte[]> consumer, long endOffset) {
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.updateEndOffsets(Map.of(TP, endOffset));
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, byte[] value) {
        return new ConsumerRecord<>(TOPIC, 0, offset, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] update(String run, long version, Map<String, Double> weights) {
        return SERDE.encode(MixtureUpdate.newBuilder().setRunId(run).setVersion(version).setWeights(weights)
                .setPolicy("test").setReason("test").setBasedOnStep(0).setCreatedAt(Instant.EPOCH).build());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void appliesValidUpdatesRejectsInvalidOnesAndSkipsStaleOnesWhileCatchingUp() throws Exception {
        MockConsumer<byte[], byte[]> consumer = consumer();
        topicAppears(consumer, 2);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(0, "run-a", update("run-a", 1, Map.of("python", 1.0))));
            consumer.addRecord(record(1, "run-a", update("run-a", 3, Map.of("python", 0.5, "go", 0.5))));
        });
        RecordingTarget target = new RecordingTarget(2); // a resumed trainer on version 2
        try (MixtureControl control = new MixtureControl(consumer, "run-a", target, u -> { })) {
            assertTrue(control.awaitCaughtUp(Duration.ofSeconds(30)));
            assertEquals(List.of(3L), target.versions);
            assertEquals(1, control.stale(), "version 1, older than the one in force, met while catching up");
            assertEquals(0, control.rejected());

            consumer.schedulePollTask(() -> {
                consumer.addRecord(record(2, "run-a", update("run-a", 3, Map.of("go", 1.0))));
                consumer.addRecord(record(3, "run-a", update("run-a", 4, Map.of("python", Double.NaN))));
                consumer.addRecord(record(4, "run-a", "garbage".getBytes(StandardCharsets.UTF_8)));
                consumer.addRecord(record(5, "run-b", update("run-b", 9, Map.of("go", 1.0))));
                consumer.addRecord(record(6, "run-a", update("run-a", Long.MAX_VALUE, Map.of("go", 1.0))));
                consumer.addRecord(record(7, "run-a", update("run-a", 4, Map.of("python", 1e308, "go", 1e308))));
                consumer.addRecord(record(8, "run-a", update("run-a", 5, Map.of("python", -1.0, "go", 2.0))));
                consumer.addRecord(record(9, "run-a", update("run-a", 6, Map.of("go", 1.0))));
            });
            await(() -> control.applied() + control.rejected() == 8, "all of run-a's records are handled");
            assertEquals(List.of(3L, 4L, 6L), target.versions);
            assertEquals(Map.of("go", 1.0), target.weights);
            assertEquals(3, control.applied());
            assertEquals(5, control.rejected(), "repeated version 3, NaN, garbage, Long.MAX_VALUE, negative");
            assertTrue(control.lastRejection().contains("negative"), control.lastRejection());
            assertEquals(1, control.stale());
        }
    }

    /** Issue #10 item 5: the old control looked for the topic once and, not finding it, never read it. */
    @Test
    void keepsRetryingUntilTheControlTopicIsThereAndShowsItIsNotFollowingMeanwhile() throws Exception {
        MockConsumer<byte[], byte[]> consumer = consumer(); // no partitions: broker or topic not there yet
        RecordingTarget target = new RecordingTarget(0);
        try (MixtureControl control = new MixtureControl(consumer, "run-a", target, u -> { })) {
            await(() -> control.failures() >= 2, "two failed attempts");
            assertFalse(control.polling());
            assertEquals(-1, control.lag());

            consumer.schedulePollTask(() -> consumer.addRecord(record(0, "run-a",
                    update("run-a", 1, Map.of("python", 0.2, "go", 0.8)))));
            topicAppears(consumer, 1);
            await(() -> control.applied() == 1, "the update is applied once the topic is there");
            await(control::polling, "polling");
            assertEquals(List.of(1L), target.versions);
            assertEquals(0, control.lag());
        }
        assertTrue(consumer.closed(), "closing the control closes its consumer");
    }
}
