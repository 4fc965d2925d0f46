package io.babelflow.ops.experiment;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.StageChange;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records what the Streams apps said about each run of a grid (neuron specialization windows, stage
 * changes) into the run's folder, {@link #NEURONS_FILE} and {@link #STAGES_FILE}: read from the start of
 * their topics, whose data the experiment's broker keeps, so a resumed grid's files are whole.
 */
final class LiveRecorder {
    static final String NEURONS_FILE = "live-neurons.avro";
    static final String STAGES_FILE = "live-stages.avro";

    private LiveRecorder() {
    }

    /**
     * Reads both topics from the beginning until they have been quiet for {@code quiet} (the apps have
     * finished the last run's windows), at most {@code max}, writing each run's records to its folder.
     */
    static void record(ClientConfig client, Map<String, Path> runDirs, Duration quiet, Duration max) {
        AvroSerde<NeuronSpecialization> specSerde = AvroSerde.of(NeuronSpecialization.class);
        AvroSerde<StageChange> stageSerde = AvroSerde.of(StageChange.class);
        Map<String, List<NeuronSpecialization>> neurons = new HashMap<>();
        Map<String, List<StageChange>> stages = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.properties(Map.of(
                "isolation.level", "read_committed", "enable.auto.commit", false)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.NEURON_SPECIALIZATION.name(), Topics.STAGE_CHANGES.name())) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + max.toNanos();
            long lastRecord = System.nanoTime();
            while (System.nanoTime() < deadline && System.nanoTime() - lastRecord < quiet.toNanos()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    lastRecord = System.nanoTime();
                    String runId = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (!runDirs.containsKey(runId)) {
                        continue;
                    }
                    if (r.topic().equals(Topics.STAGE_CHANGES.name())) {
                        stages.computeIfAbsent(runId, k -> new ArrayList<>()).add(stageSerde.decode(r.value()));
                    } else {
                        neurons.computeIfAbsent(runId, k -> new ArrayList<>()).add(specSerde.decode(r.value()));
                    }
                }
            }
        }
        runDirs.forEach((runId, dir) -> {
            write(dir.resolve(NEURONS_FILE), NeuronSpecialization.class, neurons.getOrDefault(runId, List.of()));
            write(dir.resolve(STAGES_FILE), StageChange.class, stages.getOrDefault(runId, List.of()));
        });
    }

    static <T extends SpecificRecord> List<T> read(Path file, Class<T> type) {
        List<T> all = new ArrayList<>();
        if (!Files.exists(file)) {
            return all;
        }
        try (DataFileReader<T> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
            reader.forEach(all::add);
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static <T extends SpecificRecord> void write(Path file, Class<T> type, List<T> records) {
        try (DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(type))) {
            writer.create(io.babelflow.schemas.Events.schemaOf(type), file.toFile());
            for (T r : records) {
                writer.append(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
