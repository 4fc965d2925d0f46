package io.babelflow.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three broker JVMs with a three-voter quorum: registry topics replicated three times with
 * min.insync.replicas 2, acks=all writes go on with one node SIGKILLed, the node rejoins and catches
 * up, and a clean stop leaves no process behind.
 */
class LocalClusterIT {
    @TempDir
    Path dir;

    @Test
    void threeNodesSurviveOneKilledAndItRejoins() throws Exception {
        ProcessHandle[] nodes = new ProcessHandle[3];
        // 221 s to start seen at a load average of 40 (other sessions on the 2 cores)
        try (LocalCluster cluster = LocalCluster.start(3, dir, 0, Duration.ofSeconds(420))) {
            for (int id = 1; id <= 3; id++) {
                nodes[id - 1] = cluster.node(id).process().toHandle();
                assertEquals(String.valueOf(cluster.node(id).pid()), Files.readString(dir.resolve("node-" + id + ".pid")).strip());
            }
            var created = TopicProvisioner.ensureTopics(cluster.client(), (short) 3, Map.of("min.insync.replicas", "2"));
            assertEquals(Topics.all().size(), created.created().size());
            String topic = Topics.TRAIN_STEPS.name();
            try (Admin admin = Admin.create(cluster.client().properties())) {
                var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
                partitions.forEach(p -> assertEquals(3, p.replicas().size(), "replicas of " + p));
                ConfigEntry minIsr = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                        .all().get().values().iterator().next().get("min.insync.replicas");
                assertEquals("2", minIsr.value());
            }

            try (var producer = new KafkaProducer<>(cluster.client().properties(Map.of("acks", "all",
                    "enable.idempotence", true, "delivery.timeout.ms", 120_000)), new StringSerializer(),
                    new StringSerializer())) {
                send(producer, topic, 0, 100);
                cluster.kill(2);
                assertFalse(cluster.node(2).alive());
                send(producer, topic, 100, 200); // two of three replicas in sync: acks=all still succeeds
                cluster.restart(2, Duration.ofSeconds(420));
                cluster.awaitInSync(List.of(topic), Duration.ofSeconds(120));
                send(producer, topic, 200, 300);
            }
            var values = TopicReader.readRaw(cluster.client(), topic, 300, Duration.ofSeconds(60)).stream()
                    .map(r -> Integer.parseInt(new String(r.value()))).sorted().toList();
            assertEquals(IntStream.range(0, 300).boxed().toList(), values, "every record exactly once");
        }
        for (ProcessHandle node : nodes) {
            assertFalse(node.isAlive(), "node " + node.pid() + " stopped with the cluster");
        }
        assertTrue(IntStream.rangeClosed(1, 3).noneMatch(id -> Files.exists(dir.resolve("node-" + id + ".pid"))));
    }

    private static void send(KafkaProducer<String, String> producer, String topic, int from, int to) throws Exception {
        List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, "run-" + (i % 5), String.valueOf(i))));
        }
        for (var ack : acks) {
            ack.get(); // a refused write fails the test here, by name
        }
    }
}
