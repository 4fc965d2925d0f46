package io.babelflow.ops.bench;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the soak's readers see, as a trainer or a dashboard would (read_committed, from the topics'
 * ends when the soak starts): the load run's TrainSteps (the input, by rank and step), the
 * specialization app's windows (by window and layer) and the reweighting app's mixture versions of
 * the steered run. Every record is counted, so a loss or a duplicate shows as a count, not a guess.
 */
final class SoakWatch implements AutoCloseable {
    private static final List<Topic<String, ?>> TOPICS = List.of(Topics.TRAIN_STEPS, Topics.NEURON_SPECIALIZATION,
            Topics.MIXTURE_CONTROL);

    private final String loadRun;
    private final String steeredRun;
    private final int layers;
    /** "rank/step" of the load run's TrainSteps, and how often each was seen. */
    final Map<String, Integer> steps = new ConcurrentHashMap<>();
    /** "windowEnd/layer" of the load run's windows, and how often each was seen. */
    final Map<String, Integer> windows = new ConcurrentHashMap<>();
    /** Layers seen per window end: a window is done when all its layers are. */
    private final Map<Long, Integer> layersPerWindow = new ConcurrentHashMap<>();
    final AtomicLong windowsDone = new AtomicLong();
    final AtomicLong incompleteWindows = new AtomicLong();
    /** Mixture versions of the steered run, and how often each was seen. */
    final Map<Long, Integer> versions = new ConcurrentHashMap<>();
    /** Steered step → nanoTime its update was read. */
    final Map<Long, Long> updateReadAt = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private final Thread thread;

    SoakWatch(ClientConfig client, String loadRun, String steeredRun, int layers) {
        this.loadRun = loadRun;
        this.steeredRun = steeredRun;
        this.layers = layers;
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.properties(Map.of("isolation.level",
                "read_committed", "enable.auto.commit", false, "max.partition.fetch.bytes",
                Topics.ACTIVATION_MAX_MESSAGE_BYTES)), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<String, ?> t : TOPICS) {
            for (int p = 0; p < t.partitions(); p++) {
                partitions.add(new TopicPartition(t.name(), p));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fixes the start before any of the soak's records exist
        thread = new Thread(() -> poll(consumer), "soak-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(KafkaConsumer<byte[], byte[]> consumer) {
        try (consumer) {
            while (running) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    String run = new String(r.key(), StandardCharsets.UTF_8);
                    if (!run.startsWith(loadRun) && !run.startsWith(steeredRun)) {
                        continue;
                    }
                    Object value = Topics.byName(r.topic()).valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if (value instanceof TrainStep s && s.getRunId().equals(loadRun)) {
                        steps.merge(s.getRank() + "/" + s.getStep(), 1, Integer::sum);
                    } else if (value instanceof NeuronSpecialization n && n.getRunId().equals(loadRun)) {
                        onWindow(n);
                    } else if (value instanceof MixtureUpdate u && u.getRunId().equals(steeredRun)) {
                        versions.merge(u.getVersion(), 1, Integer::sum);
                        updateReadAt.putIfAbsent(u.getBasedOnStep(), System.nanoTime());
                    }
                }
            }
        }
    }

    private void onWindow(NeuronSpecialization n) {
        if (windows.merge(n.getWindowEnd() + "/" + n.getLayer(), 1, Integer::sum) > 1) {
            return;
        }
        if (!n.getComplete()) {
            incompleteWindows.incrementAndGet();
        }
        if (layersPerWindow.merge(n.getWindowEnd(), 1, Integer::sum) == layers) {
            windowsDone.incrementAndGet();
        }
    }

    static long duplicates(Map<?, Integer> seen) {
        return seen.values().stream().mapToLong(n -> n - 1).sum();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
