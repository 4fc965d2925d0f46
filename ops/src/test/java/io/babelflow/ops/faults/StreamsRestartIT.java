package io.babelflow.ops.faults;

import io.babelflow.ops.TinyRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.trainer.FixtureCorpus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both Streams apps SIGKILLed mid-run and restarted on their state dirs: the run's mixture versions
 * stay contiguous and unduplicated, and each app's time back to RUNNING is measured.
 */
class StreamsRestartIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final String RUNNING = "to RUNNING";

    @TempDir
    Path dir;

    private ChildJvm app(String name, String... args) throws Exception {
        Path log4j = Path.of(StreamsRestartIT.class.getResource("/log4j2-streams-state.xml").toURI());
        return ChildJvm.babelflow(name, dir.resolve("logs"), List.of("-Dlog4j2.configurationFile=" + log4j), args);
    }

    private ChildJvm reweighting(String name, String bootstrap) throws Exception {
        return app(name, "streams", "reweighting", "--bootstrap-servers", bootstrap, "--state-dir",
                dir.resolve("state-reweighting").toString());
    }

    private ChildJvm specialization(String name, String bootstrap, int port) throws Exception {
        return app(name, "streams", "specialization", "--bootstrap-servers", bootstrap, "--http-port", String.valueOf(port),
                "--state-dir", dir.resolve("state-specialization").toString());
    }

    /** Milliseconds from now until the app logs its transition to RUNNING. */
    private static long millisToRunning(ChildJvm app) throws InterruptedException {
        long t0 = System.nanoTime();
        app.awaitLine(l -> l.contains(RUNNING), START);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void appsKilledMidRunComeBackOnTheirStateAndKeepVersionsContiguous() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
            String bootstrap = kafka.bootstrapServers();
            ClientConfig client = ClientConfig.of(bootstrap);
            TopicProvisioner.ensureTopics(client, (short) 1);
            Path corpus = FixtureCorpus.write(Files.createDirectories(dir.resolve("corpus")));
            Path config = TinyRun.of("steered", 80)
                    .feedback("{policy: schedule, params: {phases: '0:python=1.0,go=0.0;80:python=0.5,go=0.5', every: '5'}}")
                    .writeTo(dir);
            int port = freePort();
            // one JVM at a time: on two shared cores, parallel starts starve the in-process broker
            ChildJvm reweighting = reweighting("reweighting-1", bootstrap);
            long firstStart = millisToRunning(reweighting);
            ChildJvm specialization = specialization("specialization-1", bootstrap, port);
            millisToRunning(specialization);
            String runId;
            long reweightingBack;
            long specializationBack;
            try (ChildJvm trainer = ChildJvm.babelflow("trainer", dir.resolve("logs"), "train", "--config",
                    config.toString(), "--corpus", corpus.toString(), "--out", dir.resolve("run").toString(),
                    "--bootstrap-servers", bootstrap)) {
                String line = trainer.awaitLine(l -> l.startsWith("run ") && l.contains(" in "), START);
                runId = line.substring(4, line.indexOf(' ', 4));
                trainer.awaitLine(l -> ChildJvm.step(l) >= 30, START);
                reweighting.kill();
                specialization.kill();
                reweighting = reweighting("reweighting-2", bootstrap);
                reweightingBack = millisToRunning(reweighting);
                specialization = specialization("specialization-2", bootstrap, port);
                specializationBack = millisToRunning(specialization);
                assertEquals(0, trainer.awaitExit(Duration.ofSeconds(180)), trainer.tail());
            }
            List<Long> versions = awaitSettled(client, runId);
            reweighting.close();
            specialization.close();
            System.out.printf("FAULT reweighting + specialization SIGKILL at step 30, restarted: mixture versions %s; "
                    + "restart to RUNNING %d ms (reweighting), %d ms (specialization); first start of reweighting %d ms%n",
                    versions, reweightingBack, specializationBack, firstStart);
            assertEquals(LongStream.rangeClosed(1, versions.size()).boxed().toList(), versions,
                    "versions contiguous from 1, none duplicated");
            assertTrue(versions.size() >= 15, "the schedule kept steering after the restart: " + versions);
        }
    }

    /** The run's MixtureUpdate versions in topic order, once no new one arrived for 5 s (at most 60 s). */
    private static List<Long> awaitSettled(ClientConfig client, String runId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Long> versions = read(client, runId);
        while (System.nanoTime() < deadline) {
            Thread.sleep(5_000);
            List<Long> now = read(client, runId);
            if (now.equals(versions) && !now.isEmpty()) {
                break;
            }
            versions = now;
        }
        return versions;
    }

    private static List<Long> read(ClientConfig client, String runId) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.properties(Map.of(
                "enable.auto.commit", false, "isolation.level", "read_committed")), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.MIXTURE_CONTROL.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Long> versions = new java.util.ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    MixtureUpdate u = Topics.MIXTURE_CONTROL.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if (u.getRunId().equals(runId)) {
                        versions.add(u.getVersion());
                    }
                });
            }
            return versions;
        }
    }
}
