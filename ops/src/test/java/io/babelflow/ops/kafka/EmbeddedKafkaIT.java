package io.babelflow.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.SampleEvents;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real KRaft broker: topics from the registry, every event type through real topics, restart with data. */
class EmbeddedKafkaIT {
    @TempDir
    Path dataDir;

    @Test
    void everyEventTypeTravelsThroughItsTopicAndSurvivesARestart() throws Exception {
        List<SpecificRecord> events = SampleEvents.all();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dataDir)) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            var result = TopicProvisioner.ensureTopics(client, (short) 1);
            assertEquals(Topics.all().size(), result.created().size());
            assertEquals(0, TopicProvisioner.ensureTopics(client, (short) 1).created().size(), "idempotent");
            try (Admin admin = Admin.create(client.properties())) {
                Set<String> names = admin.listTopics().names().get();
                Topics.all().forEach(t -> assertTrue(names.contains(t.name()), t.name()));
                var description = admin.describeTopics(List.of(Topics.ACTIVATION_STATS.name())).allTopicNames().get();
                assertEquals(6, description.get(Topics.ACTIVATION_STATS.name()).partitions().size());
            }

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client.properties(Map.of(
                    "acks", "all", "enable.idempotence", true)), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (SpecificRecord event : events) {
                    Topic<String, SpecificRecord> topic = topicOf(event);
                    producer.send(new ProducerRecord<>(topic.name(), SampleEvents.RUN.getBytes(),
                            topic.valueSerde().serializer().serialize(topic.name(), event))).get();
                }
            }
            assertEquals(events, consumeOnePerTopic(client, events));

            kafka.stop();
            assertFalse(kafka.running());
            kafka.restart();
            assertEquals(events, consumeOnePerTopic(client, events), "records kept across a restart");
        }
    }

    @SuppressWarnings("unchecked")
    private static Topic<String, SpecificRecord> topicOf(SpecificRecord event) {
        return Topics.forEvent((Class<SpecificRecord>) event.getClass());
    }

    private static List<SpecificRecord> consumeOnePerTopic(ClientConfig client, List<SpecificRecord> events) {
        List<SpecificRecord> received = new ArrayList<>();
        Properties props = client.properties(Map.of("auto.offset.reset", "earliest", "enable.auto.commit", false));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (SpecificRecord expected : events) {
                Topic<String, SpecificRecord> topic = topicOf(expected);
                List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                SpecificRecord got = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (got == null && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        got = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    }
                }
                received.add(got);
            }
        }
        return received;
    }
}
