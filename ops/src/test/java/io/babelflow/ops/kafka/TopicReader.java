package io.babelflow.ops.kafka;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Test helper: reads a topic from the beginning until it holds {@code expected} records or time runs out. */
public final class TopicReader {
    private TopicReader() {
    }

    public static List<ConsumerRecord<byte[], byte[]>> readRaw(ClientConfig client, String topic, int expected,
            Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.properties(Map.of(
                "isolation.level", "read_committed", "enable.auto.commit", false)), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // a little longer, so duplicates beyond the expected count would show
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }

    public static <V> List<V> read(ClientConfig client, Topic<String, V> topic, int expected, Duration timeout) {
        List<V> values = new ArrayList<>();
        for (var r : readRaw(client, topic.name(), expected, timeout)) {
            values.add(topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
        }
        return values;
    }
}
