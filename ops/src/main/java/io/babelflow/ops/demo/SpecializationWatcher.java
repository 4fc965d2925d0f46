package io.babelflow.ops.demo;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.StageChange;
import io.babelflow.ops.plot.LineChart;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows one run's analysis outputs for a console: a line per statistics window once all of its
 * layers are in (language-specific and transferring neurons summed over layers), a line per stage
 * change, and the dead-letter count; at the end, a plot of the neuron counts over steps.
 */
final class SpecializationWatcher implements AutoCloseable {
    private final String runId;
    private final int layers;
    private final Consumer<String> out;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<Long, List<NeuronSpecialization>> windows = new TreeMap<>();
    private final LineChart specific = new LineChart("Language-specific and transferring FFN neurons (LAPE, all layers)",
            "step", "neurons");
    private final List<StageChange> stages = new ArrayList<>();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong windowsClosed = new AtomicLong();
    private long lastWindowEnd = -1;

    SpecializationWatcher(ClientConfig client, String runId, int layers, Consumer<String> out) {
        this.runId = runId;
        this.layers = layers;
        this.out = out;
        this.consumer = new KafkaConsumer<>(client.properties(Map.of("isolation.level", "read_committed",
                "enable.auto.commit", false)), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::loop, "babelflow-demo-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            follow();
        } catch (org.apache.kafka.common.errors.WakeupException stopping) {
            // close() asked us to stop
        }
    }

    private void follow() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.NEURON_SPECIALIZATION.name(), Topics.STAGE_CHANGES.name(),
                Topics.DEAD_LETTER.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        AvroSerde<NeuronSpecialization> specSerde = AvroSerde.of(NeuronSpecialization.class);
        AvroSerde<StageChange> stageSerde = AvroSerde.of(StageChange.class);
        while (running) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(Topics.DEAD_LETTER.name())) {
                    deadLetters.incrementAndGet();
                    continue;
                }
                if (r.key() == null || !runId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                    continue;
                }
                if (r.topic().equals(Topics.STAGE_CHANGES.name())) {
                    StageChange c = stageSerde.decode(r.value());
                    synchronized (this) {
                        stages.add(c);
                    }
                    out.accept(String.format("stage: %s %s -> %s at step %d (%s)", c.getLanguage(),
                            c.getFrom() == null ? "-" : c.getFrom(), c.getTo(), c.getStep(), c.getReason()));
                } else {
                    window(specSerde.decode(r.value()));
                }
            }
        }
    }

    private synchronized void window(NeuronSpecialization layer) {
        List<NeuronSpecialization> got = windows.computeIfAbsent(layer.getWindowEnd(), w -> new ArrayList<>());
        got.add(layer);
        if (got.size() < layers) {
            return;
        }
        Map<String, Integer> own = new TreeMap<>();
        Map<String, Integer> transferring = new TreeMap<>();
        for (NeuronSpecialization l : got) {
            l.getSpecificNeurons().forEach((lang, ids) -> own.merge(lang, ids.size(), Integer::sum));
            l.getTransferringNeurons().forEach((lang, ids) -> transferring.merge(lang, ids.size(), Integer::sum));
        }
        own.forEach((lang, n) -> specific.add(lang + " specific", layer.getWindowEnd(), n));
        transferring.forEach((lang, n) -> specific.add(lang + " transferring", layer.getWindowEnd(), n));
        windowsClosed.incrementAndGet();
        lastWindowEnd = Math.max(lastWindowEnd, layer.getWindowEnd());
        notifyAll();
        out.accept(String.format("neurons, steps %d-%d: language-specific %s, transferring (shared with primary) %s",
                layer.getWindowStart(), layer.getWindowEnd(), own, transferring));
    }

    /** Waits until every layer of a window ending at or after {@code step} is in; false on timeout. */
    synchronized boolean awaitWindowEnding(long step, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lastWindowEnd < step) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    long windowsClosed() {
        return windowsClosed.get();
    }

    long deadLetters() {
        return deadLetters.get();
    }

    synchronized List<StageChange> stages() {
        return List.copyOf(stages);
    }

    synchronized Path plot(Path file) {
        specific.writePng(file, 1000, 560);
        return file;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
