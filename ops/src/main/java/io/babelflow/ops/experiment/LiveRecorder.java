package io.babelflow.ops.experiment;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.StageChange;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.schemas.telemetry.FileTelemetrySink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records what the Streams apps said about one run (neuron specialization windows, stage changes)
 * into the run's live.avro, read from the start of their topics so a resumed run's file is whole.
 */
final class LiveRecorder implements AutoCloseable {
    private final String runId;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final FileTelemetrySink sink;
    private final AvroSerde<NeuronSpecialization> specSerde = AvroSerde.of(NeuronSpecialization.class);
    private final AvroSerde<StageChange> stageSerde = AvroSerde.of(StageChange.class);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastRecordNanos = System.nanoTime();
    private volatile long lastWindowEnd = -1;

    LiveRecorder(ClientConfig client, String runId, Path runDir) {
        this.runId = runId;
        Path file = runDir.resolve(RunHistory.LIVE_FILE);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
        this.sink = new FileTelemetrySink(file);
        this.consumer = new KafkaConsumer<>(client.properties(Map.of("isolation.level", "read_committed",
                "enable.auto.commit", false)), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.NEURON_SPECIALIZATION.name(), Topics.STAGE_CHANGES.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::loop, "babelflow-experiment-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || !runId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    if (r.topic().equals(Topics.STAGE_CHANGES.name())) {
                        sink.emit(stageSerde.decode(r.value()));
                    } else {
                        NeuronSpecialization n = specSerde.decode(r.value());
                        sink.emit(n);
                        lastWindowEnd = Math.max(lastWindowEnd, n.getWindowEnd());
                    }
                    lastRecordNanos = System.nanoTime();
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException stopping) {
            // close() asked us to stop
        }
    }

    /**
     * Waits until the apps have analysed the run up to {@code lastStep} (a window ending there) or
     * have been quiet for {@code quiet}, at most {@code max}.
     */
    void awaitCaughtUp(long lastStep, Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && lastWindowEnd < lastStep
                && System.nanoTime() - lastRecordNanos < quiet.toNanos()) {
            Thread.sleep(100);
        }
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
        sink.close();
    }
}
