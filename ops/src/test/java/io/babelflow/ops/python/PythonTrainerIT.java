package io.babelflow.ops.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.TrainStep;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.kafka.TopicReader;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.trainer.FixtureCorpus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python example trainer ({@code producers/python/examples/torch_trainer.py}, a tiny PyTorch model)
 * in the closed loop on a real broker with both Streams apps: its steps arrive once each, the schedule
 * policy's updates are applied in Python, hostile updates are rejected, the specialization app analyses
 * its statistics (two ranks merged), and a broker stopped mid-run loses nothing.
 */
class PythonTrainerIT {
    static final String TRAINER = "examples/torch_trainer.py";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static ClientConfig client;
    static Path corpus;
    static Path config;
    static SpecializationApp specialization;
    static ReweightingApp reweighting;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(0, dir.resolve("kafka"));
        client = ClientConfig.of(kafka.bootstrapServers());
        TopicProvisioner.ensureTopics(client, (short) 1);
        corpus = FixtureCorpus.write(Files.createDirectories(dir.resolve("corpus")));
        config = Files.writeString(dir.resolve("run.yaml"), """
                run: {name: py-it, steps: 30, seed: 7}
                model: {layers: 2, dModel: 32, heads: 2, ffnWidth: 64, contextLength: 32, activation: GELU}
                training: {batchSize: 4, learningRate: 3.0e-3, minLearningRate: 3.0e-4, warmupSteps: 5, decaySteps: 30,
                           weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1.0e-8, gradClipNorm: 1.0}
                languages:
                  - {id: python, role: PRIMARY, weight: 1.0}
                  - {id: go, role: NEW, weight: 0.0}
                probes: {statsEvery: 10, evalEvery: 10, evalBatchSize: 8, maxProbeWindows: 4, promptDir: null}
                feedback:
                  policy: schedule
                  params: {phases: "0:python=1.0,go=0.0;10:python=0.5,go=0.5", curve: linear, every: "2"}
                """);
        specialization = SpecializationApp.start(StreamsDefaults.base(kafka.bootstrapServers(),
                "spec-py", dir.resolve("state-spec").toString(), Map.of()), SpecializationConfig.DEFAULTS,
                new InetSocketAddress("127.0.0.1", 0));
        reweighting = ReweightingApp.start(StreamsDefaults.base(kafka.bootstrapServers(), "rew-py",
                dir.resolve("state-rew").toString(), Map.of()), ReweightingConfig.DEFAULTS);
        await(() -> specialization.streams().state() == KafkaStreams.State.RUNNING
                && reweighting.streams().state() == KafkaStreams.State.RUNNING, "both apps RUNNING");
    }

    @AfterAll
    static void stop() {
        if (reweighting != null) {
            reweighting.close();
        }
        if (specialization != null) {
            specialization.close();
        }
        kafka.close();
    }

    static List<String> trainer(String runId, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(TRAINER, "--config", config.toString(), "--corpus", corpus.toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--out", out.toString(), "--run-id", runId,
                "--step-millis", "50"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void closedLoopUpdatesAppliedInPythonAndHostileOnesRejected() throws Exception {
        String runId = "py-loop";
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client.properties(Map.of()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = runId.getBytes(StandardCharsets.UTF_8);
            MixtureUpdate unknownLanguage = MixtureUpdate.newBuilder().setRunId(runId).setVersion(1_000)
                    .setWeights(Map.of("rust", 1.0)).setPolicy("hostile").setReason("test").setBasedOnStep(0)
                    .setCreatedAt(Instant.now()).build();
            producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), key,
                    Topics.MIXTURE_CONTROL.valueSerde().serializer().serialize("t", unknownLanguage))).get();
            producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), key, "not avro".getBytes())).get();
        }
        Path out = dir.resolve("loop");
        String output = PythonProcess.run(trainer(runId, out));

        List<TrainStep> steps = steps(runId, 30);
        assertEquals(LongStream.range(0, 30).boxed().toList(), steps.stream().map(TrainStep::getStep).toList(),
                "every step once, in order");
        Map<Long, Map<String, Double>> sent = new HashMap<>();
        for (var r : TopicReader.readRaw(client, Topics.MIXTURE_CONTROL.name(), Integer.MAX_VALUE, Duration.ofSeconds(3))) {
            if (r.value().length > 10 && runId.equals(new String(r.key(), StandardCharsets.UTF_8))) { // not our garbage
                MixtureUpdate u = Topics.MIXTURE_CONTROL.valueSerde().deserializer().deserialize("t", r.value());
                if (u.getPolicy().equals("schedule")) {
                    sent.put(u.getVersion(), u.getWeights());
                }
            }
        }
        assertFalse(sent.isEmpty(), "the reweighting app sent updates");
        long applied = steps.stream().filter(s -> s.getMixtureVersion() > 0).count();
        assertTrue(applied > 0, "updates were applied in Python:\n" + output);
        for (TrainStep s : steps) {
            if (s.getMixtureVersion() > 0) {
                Map<String, Double> expected = normalised(sent.get(s.getMixtureVersion()));
                expected.forEach((lang, w) -> assertEquals(w, s.getMixtureWeights().get(lang), 1e-9,
                        "step " + s.getStep() + " runs on the weights of version " + s.getMixtureVersion()));
            }
            assertFalse(s.getMixtureWeights().containsKey("rust"));
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary-rank0.json").toFile());
        assertEquals(2, summary.get("rejected").asInt(), "the unknown language and the undecodable record:\n" + output);
        assertEquals(0, summary.get("spooled").asInt());
        assertTrue(output.contains("'rust' is not one of the run's languages"), output);

        // LAPE reads held-out statistics, published at every eval point (evalEvery 10)
        Set<Long> windows = specializationWindows(runId, s -> s.getComplete(), 3);
        assertEquals(Set.of(9L, 19L, 29L), windows, "the specialization app analysed the Python statistics");
    }

    @Test
    void twoDistributedRanksAreMergedBySpecialization() throws Exception {
        String runId = "py-ddp";
        PythonProcess.run(trainer(runId, dir.resolve("ddp"), "--world-size", "2", "--steps", "20"));
        List<TrainStep> steps = steps(runId, 40);
        for (int rank = 0; rank < 2; rank++) {
            int r = rank;
            assertEquals(LongStream.range(0, 20).boxed().toList(), steps.stream().filter(s -> s.getRank() == r)
                    .map(TrainStep::getStep).toList(), "rank " + rank);
        }
        assertTrue(steps.stream().allMatch(s -> s.getWorldSize() == 2));
        Set<Long> merged = specializationWindows(runId, s -> s.getComplete() && s.getMissingRanks().isEmpty(), 2);
        assertEquals(Set.of(9L, 19L), merged, "windows complete with both ranks");
    }

    @Test
    void brokerStoppedMidRunSpoolsEverythingAndTheNextStartDeliversIt() throws Exception {
        String runId = "py-outage";
        Path out = dir.resolve("outage");
        Process trainer = PythonProcess.builder(trainer(runId, out, "--close-timeout", "2", "--step-millis", "100"))
                .redirectOutput(dir.resolve("outage.log").toFile()).start();
        try {
            await(() -> steps(runId, 5, Duration.ofSeconds(1)).size() >= 5, "the first steps on the broker");
            kafka.stop();
            assertTrue(trainer.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "trainer finished without the broker");
        } finally {
            trainer.destroy();
            if (!kafka.running()) {
                kafka.restart();
            }
        }
        assertEquals(0, trainer.exitValue(), Files.readString(dir.resolve("outage.log")));
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary-rank0.json").toFile());
        assertTrue(summary.get("spooled").asInt() > 0, "records waited in the spool: " + summary);

        String replay = PythonProcess.run(List.of("-m", "babelflow", "replay", out.resolve("spool-rank0").toString(),
                "--bootstrap-servers", kafka.bootstrapServers()));
        assertTrue(replay.contains(" 0 wait in"), replay);
        List<TrainStep> steps = steps(runId, 30);
        assertEquals(LongStream.range(0, 30).boxed().toList(), steps.stream().map(TrainStep::getStep).distinct().sorted()
                .toList(), "every step arrived");
        Map<Long, Long> perStep = steps.stream().collect(Collectors.groupingBy(TrainStep::getStep,
                Collectors.mapping(TrainStep::getSequence, Collectors.collectingAndThen(Collectors.toSet(), s -> (long) s.size()))));
        assertTrue(perStep.values().stream().allMatch(n -> n == 1), "a repeated step is a duplicate delivery of one sequence");
    }

    static List<TrainStep> steps(String runId, int expected) {
        return steps(runId, expected, Duration.ofSeconds(60));
    }

    static List<TrainStep> steps(String runId, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TrainStep> mine = List.of();
        do {
            mine = TopicReader.read(client, Topics.TRAIN_STEPS, Integer.MAX_VALUE, Duration.ofMillis(500)).stream()
                    .filter(s -> s.getRunId().equals(runId)).toList();
        } while (mine.size() < expected && System.nanoTime() < deadline);
        return mine;
    }

    static Set<Long> specializationWindows(String runId, Predicate<NeuronSpecialization> which, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Set<Long> windows = Set.of();
        while (windows.size() < expected && System.nanoTime() < deadline) {
            windows = TopicReader.read(client, Topics.NEURON_SPECIALIZATION, Integer.MAX_VALUE, Duration.ofSeconds(1))
                    .stream().filter(s -> s.getRunId().equals(runId)).filter(which)
                    .map(NeuronSpecialization::getWindowEnd).collect(Collectors.toSet());
        }
        return windows;
    }

    static Map<String, Double> normalised(Map<String, Double> weights) {
        double sum = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> out = new HashMap<>();
        for (String lang : List.of("python", "go")) {
            out.put(lang, weights.getOrDefault(lang, 0.0) / sum);
        }
        return out;
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
