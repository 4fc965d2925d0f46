package io.babelflow.ops.cluster;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the steps, windows and mixture updates as a trainer or a dashboard would (read_committed,
 * from the beginning) on its own thread for the whole test, noting when each record arrived: the
 * counts are checked on what it saw, and takeover is the silence after a kill.
 */
final class OutputWatch implements AutoCloseable {
    record Arrival(String topic, String runId, Object value, long nanos) {
    }

    private static final List<Topic<String, ?>> TOPICS = List.of(Topics.TRAIN_STEPS, Topics.NEURON_SPECIALIZATION,
            Topics.MIXTURE_CONTROL);

    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final AtomicLong caughtUpAt = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    void start(ClientConfig client) {
        thread = new Thread(() -> poll(client), "output-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(ClientConfig client) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.properties(Map.of(
                "isolation.level", "read_committed", "enable.auto.commit", false, "max.partition.fetch.bytes",
                Topics.ACTIVATION_MAX_MESSAGE_BYTES)), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topic<String, ?> t : TOPICS) {
                for (int p = 0; p < t.partitions(); p++) {
                    partitions.add(new TopicPartition(t.name(), p));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                long polled = System.nanoTime();
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    Topic<?, ?> topic = Topics.byName(r.topic());
                    Object value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    arrivals.add(new Arrival(r.topic(), new String(r.key(), StandardCharsets.UTF_8), value,
                            System.nanoTime()));
                }
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // the LSO under read_committed
                if (ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUpAt.set(polled);
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                throw e;
            }
        }
    }

    /** Every record of {@code topic} for {@code runId} seen so far, in arrival order. */
    @SuppressWarnings("unchecked")
    <V> List<V> of(Topic<String, V> topic, String runId) {
        return arrivals.stream().filter(a -> a.topic().equals(topic.name()) && a.runId().equals(runId))
                .map(a -> (V) a.value()).toList();
    }

    /**
     * Waits until {@code condition} holds, and no longer: a point in the traffic to act at (a kill).
     * Waiting to be caught up too would wait for the traffic to pause, which under steady load
     * comes only once the publishers finish.
     */
    void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        if (!holds(condition, System.nanoTime() + timeout.toNanos())) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }

    private static boolean holds(BooleanSupplier condition, long deadline) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /**
     * Waits until {@code condition} holds and then until everything committed by then has been read
     * (so a duplicate committed after the last expected record shows too); returns false on
     * time-out, so the caller's exact assertions say what is missing rather than only that something is.
     */
    boolean awaitOrTimeOut(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!holds(condition, deadline)) {
            return false;
        }
        long now = System.nanoTime();
        while (caughtUpAt.get() < now) {
            if (System.nanoTime() > deadline + 30_000_000_000L) {
                throw new AssertionError("the watch did not catch up with the topics");
            }
            Thread.sleep(50);
        }
        return true;
    }

    long arrivalsAfter(String topic, String runId, long nanos) {
        return arrivals.stream().filter(a -> a.topic().equals(topic) && a.runId().equals(runId) && a.nanos() > nanos)
                .count();
    }

    /** The longest time after {@code nanos} without a record of {@code runId} on {@code topic}, in ms. */
    long silenceAfter(String topic, String runId, long nanos) {
        long previous = nanos;
        long longest = 0;
        for (Arrival a : arrivals) {
            if (a.topic().equals(topic) && a.runId().equals(runId) && a.nanos() > nanos) {
                longest = Math.max(longest, a.nanos() - previous);
                previous = a.nanos();
            }
        }
        return longest / 1_000_000;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
