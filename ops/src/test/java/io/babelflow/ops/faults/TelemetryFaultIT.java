package io.babelflow.ops.faults;

import io.babelflow.ops.TinyRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.TrainStep;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import io.babelflow.trainer.FixtureCorpus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry is never lost, whatever dies when: the broker and the trainer run as child JVMs and are
 * SIGKILLed, then everything the run put on the topics is counted by step and sequence.
 */
class TelemetryFaultIT {
    private static final Duration START = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    /** A small model that checkpoints often and reports every step. */
    private Path config(String name, int steps, int checkpointEvery) throws Exception {
        return TinyRun.of(name, steps).checkpoints(checkpointEvery, 2).writeTo(dir);
    }

    private ChildJvm train(String name, Path config, Path run, String bootstrap, boolean resume) throws Exception {
        Path corpus = dir.resolve("corpus");
        if (!Files.exists(corpus)) {
            FixtureCorpus.write(Files.createDirectories(corpus));
        }
        List<String> args = new ArrayList<>(List.of("train", "--corpus", corpus.toString(), "--out", run.toString(),
                "--bootstrap-servers", bootstrap));
        args.addAll(resume ? List.of("--resume") : List.of("--config", config.toString()));
        return ChildJvm.babelflow(name, dir.resolve("logs"), args.toArray(String[]::new));
    }

    private ChildJvm broker(String name, int port, Path data) throws Exception {
        ChildJvm broker = ChildJvm.babelflow(name, dir.resolve("logs"), "broker", "--port", String.valueOf(port),
                "--data-dir", data.toString());
        broker.awaitLine(l -> l.startsWith("topics:"), START);
        return broker;
    }

    private static String runId(ChildJvm trainer) throws InterruptedException {
        String line = trainer.awaitLine(l -> l.startsWith("run ") && l.contains(" in "), START);
        return line.substring(4, line.indexOf(' ', 4));
    }

    /** What the run's train-steps topic holds, by step and by sequence. */
    record Counts(long expected, long present, long duplicated, long redelivered, long reused) {
        @Override
        public String toString() {
            return "steps expected " + expected + ", present " + present + ", duplicated " + duplicated
                    + " (records repeating a seen sequence: " + redelivered + ", sequences reused for other content: "
                    + reused + ")";
        }
    }

    /**
     * Reads every telemetry topic to its end. A step is present when some TrainStep carries it and
     * duplicated when TrainSteps with different sequences carry it; a sequence is reused when two
     * records of the run carry it with different bytes (any topic).
     */
    static Counts count(ClientConfig client, String runId, long steps) {
        Map<Long, Set<Long>> sequencesByStep = new TreeMap<>();
        Map<Long, byte[]> bySequence = new HashMap<>();
        long redelivered = 0;
        long reused = 0;
        for (Topic<String, ?> topic : List.<Topic<String, ?>>of(Topics.RUNS, Topics.RUN_ENDS, Topics.TRAIN_STEPS,
                Topics.ACTIVATION_STATS, Topics.EVAL_RESULTS, Topics.WORKING_LANGUAGE)) {
            for (ConsumerRecord<byte[], byte[]> r : readAll(client, topic.name())) {
                String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                if (!key.equals(runId) && !key.startsWith(runId + "/")) {
                    continue;
                }
                var event = (SpecificRecord) topic.valueSerde().deserializer().deserialize(topic.name(), r.value());
                long sequence = ((Number) event.get(event.getSchema().getField("sequence").pos())).longValue();
                byte[] before = bySequence.putIfAbsent(sequence, r.value());
                if (before != null) {
                    if (Arrays.equals(before, r.value())) {
                        redelivered++;
                    } else {
                        reused++;
                    }
                }
                if (event instanceof TrainStep step) {
                    sequencesByStep.computeIfAbsent(step.getStep(), s -> new HashSet<>()).add(sequence);
                }
            }
        }
        long present = sequencesByStep.keySet().stream().filter(s -> s >= 0 && s < steps).count();
        long duplicated = sequencesByStep.values().stream().filter(s -> s.size() > 1).count();
        return new Counts(steps, present, duplicated, redelivered, reused);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(ClientConfig client, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.properties(Map.of(
                "enable.auto.commit", false)), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end");
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void brokerKilledThenTrainerKilledWhileItIsAwayThenResumedEveryStepExactlyOnce() throws Exception {
        int steps = 120;
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        Path data = dir.resolve("kafka");
        Path run = dir.resolve("outage");
        Path config = config("outage", steps, 20);
        ChildJvm broker = broker("broker-1", port, data);
        String runId;
        try (ChildJvm trainer = train("trainer-1", config, run, bootstrap, false)) {
            runId = runId(trainer);
            trainer.awaitLine(l -> ChildJvm.step(l) >= 30, START);
            broker.kill(); // mid-run
            trainer.awaitLine(l -> ChildJvm.step(l) >= 90, START); // checkpoints at 40, 60, 80 without a broker
            trainer.kill();
        }
        try (ChildJvm back = broker("broker-2", port, data);
                ChildJvm resumed = train("trainer-2", config, run, bootstrap, true)) {
            assertEquals(0, resumed.awaitExit(Duration.ofSeconds(180)), resumed.tail());
            Counts counts = count(ClientConfig.of(bootstrap), runId, steps);
            System.out.println("FAULT broker SIGKILL at step 30, trainer SIGKILL at step 90 with the broker away, "
                    + "broker back, resume: " + counts);
            assertEquals(new Counts(steps, steps, 0, counts.redelivered(), 0), counts);
        }
    }

    @Test
    void trainerKilledAtRandomInstantsLosesNoStepAndReusesNoSequence() throws Exception {
        int steps = 60;
        long[] killAt = new Random(20261202).longs(3, 3, 57).sorted().toArray();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            Path run = dir.resolve("kills");
            Path config = config("kills", steps, 10);
            String runId = null;
            for (int i = 0; i < killAt.length; i++) {
                long at = killAt[i];
                try (ChildJvm trainer = train("trainer-" + i, config, run, kafka.bootstrapServers(), i > 0)) {
                    if (i == 0) {
                        runId = runId(trainer);
                    }
                    trainer.awaitLine(l -> ChildJvm.step(l) >= at, START);
                    trainer.kill();
                }
            }
            try (ChildJvm last = train("trainer-last", config, run, kafka.bootstrapServers(), true)) {
                assertEquals(0, last.awaitExit(Duration.ofSeconds(180)), last.tail());
            }
            Counts counts = count(client, runId, steps);
            System.out.println("FAULT trainer SIGKILL at steps " + Arrays.toString(killAt) + ", broker up: " + counts);
            assertEquals(steps, counts.present(), "no step missing: " + counts);
            assertEquals(0, counts.reused(), "no (run, rank, sequence) names two contents: " + counts);
        }
    }
}
