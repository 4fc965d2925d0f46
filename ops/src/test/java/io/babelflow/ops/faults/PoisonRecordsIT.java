package io.babelflow.ops.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.kafka.TopicReader;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison on every input topic of both Streams apps: garbage bytes, a truncated Avro body, an
 * unknown schema fingerprint and a well-formed but invalid event. Each lands in the dead-letter
 * topic once per app that reads the topic, with a reason and its source coordinates; the apps
 * stay RUNNING and commit past a good record sent afterwards on every topic.
 */
class PoisonRecordsIT {
    private static final String RUN = "poison-run";
    private static final String SPECIALIZATION = "poison-specialization";
    private static final String REWEIGHTING = "poison-reweighting";

    @TempDir
    Path dir;

    /** A topic, a good event on it, an invalid variant, and the apps that read it. */
    private record Case(Topic<String, ?> topic, SpecificRecord good, SpecificRecord invalid, List<String> apps) {
    }

    @Test
    void everyKindOfPoisonOnEveryInputTopicIsDeadLetteredOnceAndTheAppsGoOn() throws Exception {
        List<Case> cases = cases();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            SpecializationApp specialization = SpecializationApp.start(StreamsDefaults.base(kafka.bootstrapServers(),
                    SPECIALIZATION, dir.resolve("state-s").toString(), Map.of()), SpecializationConfig.DEFAULTS,
                    new InetSocketAddress("127.0.0.1", 0));
            ReweightingApp reweighting = ReweightingApp.start(StreamsDefaults.base(kafka.bootstrapServers(),
                    REWEIGHTING, dir.resolve("state-r").toString(), Map.of()), ReweightingConfig.DEFAULTS);
            try (specialization; reweighting; KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    client.properties(Map.of()), new ByteArraySerializer(), new ByteArraySerializer())) {
                Map<String, String> expectedReasons = new HashMap<>(); // "topic/offset" -> a word of the reason
                int expected = 0;
                Map<TopicPartition, Long> goodEnds = new HashMap<>();
                for (Case c : cases) {
                    byte[] key = RUN.getBytes(StandardCharsets.UTF_8);
                    byte[] valid = encode(c.good());
                    byte[] fingerprint = valid.clone();
                    for (int i = 2; i < 10; i++) {
                        fingerprint[i] ^= (byte) 0xFF;
                    }
                    Map<byte[], String> poison = new java.util.LinkedHashMap<>();
                    poison.put("definitely not an Avro record".getBytes(StandardCharsets.UTF_8), "no Avro single-object marker");
                    poison.put(Arrays.copyOf(valid, valid.length / 2), "malformed body");
                    poison.put(fingerprint, "unknown schema fingerprint");
                    poison.put(encode(c.invalid()), "invalid");
                    for (Map.Entry<byte[], String> p : poison.entrySet()) {
                        RecordMetadata at = producer.send(new ProducerRecord<>(c.topic().name(), key, p.getKey())).get();
                        expectedReasons.put(c.topic().name() + "/" + at.partition() + "/" + at.offset(), p.getValue());
                        expected += c.apps().size();
                    }
                    RecordMetadata good = producer.send(new ProducerRecord<>(c.topic().name(), key, valid)).get();
                    goodEnds.put(new TopicPartition(good.topic(), good.partition()), good.offset() + 1);
                }
                for (String app : List.of(SPECIALIZATION, REWEIGHTING)) {
                    Map<TopicPartition, Long> mine = new HashMap<>();
                    cases.stream().filter(c -> c.apps().contains(app)).forEach(c -> goodEnds.forEach((tp, end) -> {
                        if (tp.topic().equals(c.topic().name())) {
                            mine.put(tp, end);
                        }
                    }));
                    await(() -> committedPast(client, app, mine), app + " commits past the good record on every input");
                }
                List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readRaw(client, Topics.DEAD_LETTER.name(),
                        expected, Duration.ofSeconds(30));
                assertEquals(expected, dead.size(), "each poison record once per app that reads its topic");
                Map<String, List<String>> appsPerRecord = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> d : dead) {
                    String origin = DeadLetters.header(d.headers(), Topics.DLQ_SOURCE_TOPIC) + "/"
                            + DeadLetters.header(d.headers(), Topics.DLQ_SOURCE_PARTITION) + "/"
                            + DeadLetters.header(d.headers(), Topics.DLQ_SOURCE_OFFSET);
                    String reason = DeadLetters.header(d.headers(), Topics.DLQ_REASON);
                    String word = expectedReasons.get(origin);
                    assertNotNull(word, "a dead letter from a record that was not poison: " + origin + " " + reason);
                    assertNotNull(reason, "reason header of " + origin);
                    assertTrue(reason.contains(word), origin + ": " + reason);
                    appsPerRecord.computeIfAbsent(origin, o -> new ArrayList<>())
                            .add(DeadLetters.header(d.headers(), Topics.DLQ_APP));
                }
                for (Case c : cases) {
                    appsPerRecord.entrySet().stream().filter(e -> e.getKey().startsWith(c.topic().name() + "/"))
                            .forEach(e -> assertEquals(c.apps().size(), e.getValue().stream().distinct().count(),
                                    e.getKey() + " dead-lettered by " + e.getValue()));
                }
                assertEquals(expectedReasons.keySet(), appsPerRecord.keySet(), "every poison record dead-lettered");
                assertEquals(KafkaStreams.State.RUNNING, specialization.streams().state());
                assertEquals(KafkaStreams.State.RUNNING, reweighting.streams().state());
                System.out.printf("FAULT poison: %d records on %d input topics, %d dead letters (expected %d); "
                        + "both apps RUNNING and past the good records%n",
                        expectedReasons.size(), cases.size(), dead.size(), expected);
            }
        }
    }

    private static List<Case> cases() {
        List<String> both = List.of(SPECIALIZATION, REWEIGHTING);
        RunStarted run = runStarted(2);
        float[] counts = new float[2 * 8];
        Arrays.fill(counts, 3f);
        ActivationStats stats = stats(0, counts);
        float[] nan = counts.clone();
        nan[5] = Float.NaN;
        float[] negative = counts.clone();
        negative[3] = -1f;
        EvalResult eval = eval(2.0);
        WorkingLanguage reading = reading(0);
        return List.of(
                new Case(Topics.RUNS, run, runStarted(0), both),
                new Case(Topics.ACTIVATION_STATS, stats, stats(0, nan), List.of(SPECIALIZATION)),
                new Case(Topics.ACTIVATION_STATS, stats(1, counts), stats(1, negative), List.of(SPECIALIZATION)),
                new Case(Topics.WORKING_LANGUAGE, reading, reading(7), List.of(SPECIALIZATION)),
                new Case(Topics.EVAL_RESULTS, eval, eval(Double.NaN), both),
                new Case(Topics.TRAIN_STEPS, step(0), step(3), both),
                new Case(Topics.STAGE_CHANGES, stage(10), stage(-1), List.of(REWEIGHTING)));
    }

    @SuppressWarnings("unchecked")
    private static byte[] encode(SpecificRecord event) {
        return AvroSerde.of((Class<SpecificRecord>) event.getClass()).encode(event);
    }

    private static RunStarted runStarted(int worldSize) {
        return RunStarted.newBuilder().setRunId(RUN).setRank(0).setWorldSize(worldSize).setSequence(0)
                .setStartedAt(Instant.EPOCH).setStartStep(0).setConfig("{}")
                .setLanguages(List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.5),
                        new LanguageSpec("go", LanguageRole.NEW, 0.5)))
                .setModel(new ModelShape(2, 16, 2, 8, 64, 256)).build();
    }

    /** Rank 0's counts of one layer in the window ending at step 99. */
    private static ActivationStats stats(int layer, float[] counts) {
        float[] sums = new float[counts.length];
        Arrays.fill(sums, 1.5f);
        return ActivationStats.newBuilder().setRunId(RUN).setRank(0).setWorldSize(2).setSequence(1)
                .setSource(StatsSource.HELDOUT).setWindowStart(0).setWindowEnd(99).setLayer(layer).setLayers(2)
                .setNeurons(8).setLanguages(List.of("python", "go")).setTokens(List.of(100L, 100L))
                .setActiveCounts(PackedFloats.pack(counts)).setActivationSums(PackedFloats.pack(sums)).build();
    }

    private static WorkingLanguage reading(int layer) {
        return WorkingLanguage.newBuilder().setRunId(RUN).setRank(0).setSequence(2).setStep(50)
                .setTimestamp(Instant.EPOCH).setLayer(layer).setLayers(2)
                .setReadings(List.of(new LanguageReading("go", 16, Map.of("go", 0.3, "python", 0.7)))).build();
    }

    private static EvalResult eval(double goLoss) {
        return EvalResult.newBuilder().setRunId(RUN).setRank(0).setSequence(3).setStep(50).setTimestamp(Instant.EPOCH)
                .setLanguageLoss(Map.of("go", goLoss, "python", 2.0))
                .setLanguageTokens(Map.of("go", 1000L, "python", 1000L)).build();
    }

    /** A step of rank 0 in a world of 2; rank 3 lies outside it. */
    private static TrainStep step(int rank) {
        return TrainStep.newBuilder().setRunId(RUN).setRank(rank).setWorldSize(2).setStep(1).setSequence(4)
                .setTimestamp(Instant.EPOCH).setTokens(2000).setLearningRate(1e-3).setLoss(2.0)
                .setLanguageLoss(Map.of("go", 2.0, "python", 2.0)).setLanguageTokens(Map.of("go", 1000L, "python", 1000L))
                .setMixtureVersion(0).setMixtureWeights(Map.of("go", 0.5, "python", 0.5)).build();
    }

    private static StageChange stage(long step) {
        return StageChange.newBuilder().setRunId(RUN).setLanguage("go").setFrom(Stage.TRANSLATION)
                .setTo(Stage.TRANSITION).setStep(step).setSignals(Map.of("transferringRatio", 0.4))
                .setReason("test").setCreatedAt(Instant.EPOCH).build();
    }

    /** Whether the app's group has committed at least {@code ends} on each of those partitions. */
    private static boolean committedPast(ClientConfig client, String app, Map<TopicPartition, Long> ends) {
        try (Admin admin = Admin.create(client.properties(Map.of()))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get();
            return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue());
        } catch (Exception e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(250);
        }
    }
}
