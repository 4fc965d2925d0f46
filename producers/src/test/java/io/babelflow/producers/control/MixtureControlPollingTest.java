package io.babelflow.producers.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@link MixtureControl#polling()}: the trainer's "control consumer up" signal. */
class MixtureControlPollingTest {
    private static final TopicPartition P0 = new TopicPartition(Topics.MIXTURE_CONTROL.name(), 0);

    private static final MixtureTarget TARGET = new MixtureTarget() {
        @Override
        public Set<String> languages() {
            return Set.of("python");
        }

        @Override
        public long version() {
            return 0;
        }

        @Override
        public Optional<String> apply(long version, Map<String, Double> weights) {
            return Optional.empty();
        }
    };

    private static MockConsumer<byte[], byte[]> consumer() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions(P0.topic(), List.of(new PartitionInfo(P0.topic(), 0, Node.noNode(), null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 0L));
        return consumer;
    }

    @Test
    void upWhilePollingAndDownOnceClosed() throws InterruptedException {
        MixtureControl control = new MixtureControl(consumer(), "run-1", TARGET, update -> { });
        assertTrue(control.awaitCaughtUp(Duration.ofSeconds(30)));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!control.polling() && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // a condition, not a timing: up as soon as the consumer polls
        }
        assertTrue(control.polling());
        control.close();
        assertFalse(control.polling());
    }

    /** Issue #10 item 5: a failed poll no longer ends the consumer; it retries and is up again. */
    @Test
    void upAgainAfterAFailedPoll() throws InterruptedException {
        MockConsumer<byte[], byte[]> consumer = consumer();
        consumer.setPollException(new KafkaException("broker gone")); // the next poll fails, once
        MixtureControl control = new MixtureControl(consumer, "run-1", TARGET, update -> { });
        assertTrue(control.awaitCaughtUp(Duration.ofSeconds(30))); // caught up only after the retry
        assertTrue(control.polling());
        assertEquals(1, control.failures());
        control.close();
        assertFalse(control.polling());
    }
}
