package io.babelflow.ops.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.events.ActivationStats;
import io.babelflow.events.StatsSource;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.kafka.TopicReader;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.streams.specialization.app.SpecializationStores;
import io.babelflow.streams.specialization.window.LayerPiece;
import io.babelflow.streams.specialization.window.LayerProbabilities;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The specialization app on a real KRaft broker, fed by the load generator: every (layer, window)
 * comes out once with the generator's known neuron blocks, poison records go to the dead-letter
 * topic without stopping the stream, and an app restart in the middle of a window neither loses
 * nor repeats anything (exactly-once v2 with the state dir kept).
 */
class SpecializationIT {
    private static final Logger LOG = LoggerFactory.getLogger(SpecializationIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroSerde<ActivationStats> STATS = AvroSerde.of(ActivationStats.class);

    private static final String RUN = "spec-it";
    private static final int LAYERS = 4;
    private static final int NEURONS = 512;
    private static final int RANKS = 2;
    private static final int STATS_EVERY = 10;
    private static final int WINDOWS = 6;
    private static final LoadShape SHAPE = new LoadShape(RUN, LAYERS, NEURONS, 3, RANKS, 0,
            (long) STATS_EVERY * WINDOWS, STATS_EVERY, 7);
    private static final List<Long> WINDOW_ENDS =
            IntStream.range(0, WINDOWS).mapToObj(w -> (long) (w + 1) * STATS_EVERY - 1).toList();
    /** The window whose first rank is merged before the restart and whose second rank after it. */
    private static final long SPLIT_WINDOW = WINDOW_ENDS.get(3);
    /** The window the poison records are sent in front of. */
    private static final long POISONED_WINDOW = WINDOW_ENDS.get(2);

    /**
     * The load generator's layout with 512 neurons: blocks of 1% (5 neurons); block 0 fires ~0.9
     * for python only, block 1 for go only, block 2 for cpp only, block 3 ~0.85 for python and go
     * (transferring), the rest ~0.3 for every language.
     */
    private static final int BLOCK = NEURONS / 100;
    private static final List<Integer> PYTHON_BLOCK = block(0);
    private static final List<Integer> GO_BLOCK = block(1);
    private static final List<Integer> CPP_BLOCK = block(2);
    private static final List<Integer> SHARED_BLOCK = block(3);

    /**
     * topRate so that the quota is exactly the 80 structured neurons of the model (4 blocks x 5
     * neurons x 4 layers of 2048): they have the lowest entropy, the background the highest.
     */
    private static final SpecializationConfig CONFIG = SpecializationConfig.DEFAULTS
            .withStatsSource(StatsSource.TRAIN) // the load generator emits training windows
            .withLape(new LapeParameters(0.95, 4.0 * BLOCK * LAYERS / (LAYERS * NEURONS), 0.95));

    @TempDir
    Path dir;

    @Test
    void findsTheGeneratorsNeuronsDivertsPoisonAndSurvivesARestartMidWindowExactlyOnce() throws Exception {
        List<ProducerRecord<byte[], byte[]>> traffic = generate();
        int firstOfPoisoned = indexOf(traffic, s -> s.getWindowEnd() == POISONED_WINDOW, true);
        int lastBeforeRestart = indexOf(traffic, s -> s.getWindowEnd() == SPLIT_WINDOW && s.getRank() == 0, false);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            Properties streamsConfig = StreamsDefaults.base(kafka.bootstrapServers(), "specialization-it",
                    dir.resolve("state").toString(), Map.of());

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(client),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                SpecializationApp app = start(streamsConfig);
                Poison poison;
                try {
                    send(producer, traffic.subList(0, firstOfPoisoned));
                    poison = sendPoison(producer, traffic.get(firstOfPoisoned + 1));
                    send(producer, traffic.subList(firstOfPoisoned, lastBeforeRestart + 1));

                    // windows before the poisoned one, and the poisoned one itself: the good records after the poison count
                    List<NeuronSpecialization> early = TopicReader.read(client, Topics.NEURON_SPECIALIZATION,
                            3 * LAYERS, Duration.ofSeconds(40));
                    assertEquals(Set.copyOf(WINDOW_ENDS.subList(0, 3)),
                            Set.copyOf(early.stream().map(NeuronSpecialization::getWindowEnd).toList()));
                    // rank 0 added up and waiting for rank 1 in the rank-merge's store: the restart falls
                    // between the ranks of every layer, so rank 0 must survive it in the changelog
                    awaitTrue("rank 0 of the window ending at " + SPLIT_WINDOW + " pending before the restart",
                            () -> pendingIn(app, SPLIT_WINDOW) == LAYERS);
                } finally {
                    app.close();
                }
                assertEquals(KafkaStreams.State.NOT_RUNNING, app.streams().state());

                // the trainer goes on while the app is down: rank 1 of the split window, then the rest of the run
                send(producer, traffic.subList(lastBeforeRestart + 1, traffic.size()));
                long restarted = System.nanoTime();
                SpecializationApp again = start(streamsConfig);
                try {
                    // within less than the 45 s session timeout: the closed instance left the group, so the
                    // new one does not wait for its old membership to expire
                    List<ConsumerRecord<byte[], byte[]>> out = TopicReader.readRaw(client,
                            Topics.NEURON_SPECIALIZATION.name(), WINDOWS * LAYERS, Duration.ofSeconds(30));
                    LOG.info("restarted app caught up in {} ms", (System.nanoTime() - restarted) / 1_000_000);
                    List<NeuronSpecialization> all = out.stream().map(r -> Topics.NEURON_SPECIALIZATION.valueSerde()
                            .deserializer().deserialize(r.topic(), r.value())).toList();
                    assertEachWindowAndLayerOnce(all);
                    all.forEach(SpecializationIT::assertKnownBlocks);
                    out.forEach(r -> assertEquals(RUN, new String(r.key(), StandardCharsets.UTF_8)));

                    assertDeadLetters(client, poison);
                    assertSummary(again);
                    assertHistoryMatchesTheRanksMergedCounts(again, traffic);
                } finally {
                    again.close();
                }
            }
        }
    }

    /**
     * One window of 16 languages at the 7B FFN width: 1.4 MB per activation record and per merged
     * layer, past the 1 MiB that a producer, a topic and a consumer accept by default. They must
     * cross the repartition topic and the changelogs whole, or the app stops on RecordTooLarge.
     */
    @Test
    void sixteenLanguageSevenBLayersCrossTheInternalTopicsWhole() throws Exception {
        LoadShape wide = new LoadShape("spec-it-wide", 2, 11008, 16, 2, 0, 1, 1, 11);
        MockProducer<byte[], byte[]> capture = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        new LoadGenerator(wide).run(capture, line -> { });
        List<ProducerRecord<byte[], byte[]>> traffic = capture.history();
        int largest = traffic.stream().mapToInt(r -> r.value().length).max().orElseThrow();
        assertTrue(largest > 1_400_000, "activation records of " + largest + " bytes");

        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka-wide"))) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            SpecializationApp app = SpecializationApp.start(StreamsDefaults.base(kafka.bootstrapServers(),
                    "specialization-it-wide", dir.resolve("state-wide").toString(), Map.of()),
                    SpecializationConfig.DEFAULTS.withStatsSource(StatsSource.TRAIN), new InetSocketAddress("127.0.0.1", 0));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(client),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                send(producer, traffic);
                List<NeuronSpecialization> out = TopicReader.read(client, Topics.NEURON_SPECIALIZATION, 2,
                        Duration.ofSeconds(40));
                assertEquals(List.of(0, 1), out.stream().map(NeuronSpecialization::getLayer).sorted().toList());
                int block = wide.neurons() / 100;
                List<String> languages = wide.languageIds();
                int selected = 0;
                for (NeuronSpecialization s : out) {
                    assertTrue(s.getComplete());
                    for (var e : s.getSpecificNeurons().entrySet()) {
                        for (int id : e.getValue()) {
                            // the defaults select 1% of the model: lowest entropy, all in single-language blocks
                            assertEquals(languages.indexOf(e.getKey()), id / block, e.getKey() + " neuron " + id);
                            selected++;
                        }
                    }
                }
                assertEquals(Math.round(2 * 11008 * LapeParameters.DEFAULTS.topRate()), selected);
                // still processing, not stopped on RecordTooLarge (a rebalance may be under way as topics appear)
                assertTrue(app.streams().state().isRunningOrRebalancing(), app.streams().state().toString());
            } finally {
                app.close();
            }
            assertEquals(0, TopicReader.readRaw(client, Topics.DEAD_LETTER.name(), 1, Duration.ofSeconds(1)).size());
        }
    }

    // ---------------------------------------------------------------- traffic

    /** The whole synthetic run as the load generator sends it, captured so the test can pace it. */
    private static List<ProducerRecord<byte[], byte[]>> generate() throws InterruptedException {
        MockProducer<byte[], byte[]> capture = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        LoadGenerator.Result result = new LoadGenerator(SHAPE).run(capture, line -> { });
        assertEquals(0, result.failed());
        return List.copyOf(capture.history());
    }

    private interface StatsTest {
        boolean test(ActivationStats stats);
    }

    private static ActivationStats stats(ProducerRecord<byte[], byte[]> r) {
        return r.topic().equals(Topics.ACTIVATION_STATS.name()) ? STATS.decode(r.value()) : null;
    }

    private static int indexOf(List<ProducerRecord<byte[], byte[]>> traffic, StatsTest test, boolean first) {
        int found = -1;
        for (int i = 0; i < traffic.size(); i++) {
            ActivationStats s = stats(traffic.get(i));
            if (s != null && test.test(s)) {
                found = i;
                if (first) {
                    break;
                }
            }
        }
        assertTrue(found >= 0);
        return found;
    }

    /**
     * The telemetry producer's settings with a 30 s delivery timeout: a batch that the embedded broker
     * never answered (seen about once in three runs of the 16-language test, "request has not been
     * sent") expires sooner and {@link #send} sends it again, as the telemetry sink does.
     */
    private static Map<String, Object> producerConfig(ClientConfig client) {
        Map<String, Object> config = new java.util.HashMap<>(TelemetryProducerConfig.of(client));
        config.put(org.apache.kafka.clients.producer.ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(org.apache.kafka.clients.producer.ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }

    private static List<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer,
            List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            sent.add(producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value())));
        }
        producer.flush();
        List<RecordMetadata> metadata = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            metadata.add(deliveredOnce(producer, records.get(i), sent.get(i)));
        }
        return metadata;
    }

    /** The record's metadata; an expired, never-sent batch is sent again (at most twice). */
    private static RecordMetadata deliveredOnce(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> r,
            java.util.concurrent.Future<RecordMetadata> first) throws Exception {
        java.util.concurrent.Future<RecordMetadata> attempt = first;
        for (int tries = 0; ; tries++) {
            try {
                return attempt.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) || tries == 2) {
                    throw e;
                }
                attempt = producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value()));
                producer.flush();
            }
        }
    }

    /** Where the poison records landed, to find them again in the dead-letter headers. */
    private record Poison(byte[] garbage, RecordMetadata garbageAt, RecordMetadata nanAt) {
    }

    /** Garbage bytes, then a well-formed record of the next window with a NaN count. */
    private static Poison sendPoison(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> model)
            throws Exception {
        byte[] garbage = "\u00c3\u0001 definitely not an Avro single-object record".getBytes(StandardCharsets.UTF_8);
        ActivationStats nan = ActivationStats.newBuilder(STATS.decode(model.value())).build();
        float[] counts = PackedFloats.unpack(nan.getActiveCounts());
        counts[NEURONS + 7] = Float.NaN; // go, neuron 7
        nan.setActiveCounts(PackedFloats.pack(counts));
        List<RecordMetadata> at = send(producer, List.of(
                new ProducerRecord<>(model.topic(), model.key(), garbage),
                new ProducerRecord<>(model.topic(), model.key(), STATS.encode(nan))));
        return new Poison(garbage, at.get(0), at.get(1));
    }

    // ---------------------------------------------------------------- app

    private static SpecializationApp start(Properties streamsConfig) {
        return SpecializationApp.start(streamsConfig, CONFIG, new InetSocketAddress("127.0.0.1", 0));
    }

    /**
     * Layers of the window ending at {@code windowEnd} whose ranks wait, added up, in the rank-merge
     * before the repartition: with two ranks, a layer of rank 0 waits there for rank 1.
     */
    private static int pendingIn(SpecializationApp app, long windowEnd) {
        try {
            ReadOnlyKeyValueStore<String, LayerPiece> partials = app.streams().store(StoreQueryParameters.fromNameAndType(
                    SpecializationStores.RANK_PARTIALS, QueryableStoreTypes.<String, LayerPiece>keyValueStore()));
            int pending = 0;
            try (KeyValueIterator<String, LayerPiece> it = partials.all()) {
                while (it.hasNext()) {
                    LayerPiece piece = it.next().value;
                    if (piece.windowEnd() == windowEnd && piece.pending()) {
                        pending++;
                    }
                }
            }
            return pending;
        } catch (InvalidStateStoreException notYet) {
            return -1;
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(50);
        }
    }

    /** GET, waiting out 503 (stores not queryable during a rebalance); anything but 200 then fails. */
    private static JsonNode get(SpecializationApp app, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + app.httpAddress().getPort() + path);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> response;
        do {
            response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 503) {
                Thread.sleep(100);
            }
        } while (response.statusCode() == 503 && System.nanoTime() < deadline);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    // ---------------------------------------------------------------- assertions

    private static void assertEachWindowAndLayerOnce(List<NeuronSpecialization> all) {
        List<String> seen = all.stream().map(s -> s.getWindowEnd() + "/" + s.getLayer()).sorted().toList();
        Set<String> expected = new HashSet<>();
        for (long w : WINDOW_ENDS) {
            for (int layer = 0; layer < LAYERS; layer++) {
                expected.add(w + "/" + layer);
            }
        }
        assertEquals(expected.size(), seen.size(), "one record per (window, layer), none twice: " + seen);
        assertEquals(expected, Set.copyOf(seen));
    }

    private static void assertKnownBlocks(NeuronSpecialization s) {
        String where = "window " + s.getWindowEnd() + " layer " + s.getLayer();
        assertTrue(s.getComplete(), where);
        assertEquals(List.of(), s.getMissingRanks(), where);
        assertEquals(NEURONS, s.getNeurons(), where);
        assertEquals(s.getWindowEnd() + 1 - STATS_EVERY, s.getWindowStart(), where);
        assertEquals(Map.of(
                "python", union(PYTHON_BLOCK, SHARED_BLOCK),
                "go", union(GO_BLOCK, SHARED_BLOCK),
                "cpp", CPP_BLOCK), s.getSpecificNeurons(), where);
        assertEquals(Map.of("go", SHARED_BLOCK, "cpp", List.of()), s.getTransferringNeurons(), where);
        // the previous window's sets survive the restart: every window after the first overlaps it fully
        Map<String, Double> expectedJaccard = s.getWindowEnd() == WINDOW_ENDS.get(0) ? Map.of()
                : Map.of("python", 1.0, "go", 1.0, "cpp", 1.0);
        assertEquals(expectedJaccard, s.getJaccardWithPrevious(), where);
    }

    private static void assertDeadLetters(ClientConfig client, Poison poison) {
        List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readRaw(client, Topics.DEAD_LETTER.name(), 2,
                Duration.ofSeconds(20));
        assertEquals(2, dead.size(), "the two poison records, once each, across the restart");
        ConsumerRecord<byte[], byte[]> garbage = dead.get(0);
        ConsumerRecord<byte[], byte[]> nan = dead.get(1);
        assertTrue(reason(garbage).contains("cannot decode ActivationStats"), reason(garbage));
        assertArrayEquals(poison.garbage(), garbage.value(), "the original bytes");
        assertTrue(reason(nan).contains("activeCount of go neuron 7 is NaN"), reason(nan));
        assertEquals(RUN + "/1", new String(nan.key(), StandardCharsets.UTF_8));
        assertOrigin(garbage, poison.garbageAt());
        assertOrigin(nan, poison.nanAt());
    }

    private static void assertOrigin(ConsumerRecord<byte[], byte[]> dead, RecordMetadata source) {
        assertEquals(Topics.ACTIVATION_STATS.name(), DeadLetters.header(dead.headers(), Topics.DLQ_SOURCE_TOPIC));
        assertEquals(String.valueOf(source.partition()), DeadLetters.header(dead.headers(), Topics.DLQ_SOURCE_PARTITION));
        assertEquals(String.valueOf(source.offset()), DeadLetters.header(dead.headers(), Topics.DLQ_SOURCE_OFFSET));
        assertEquals(CONFIG.appName(), DeadLetters.header(dead.headers(), Topics.DLQ_APP));
    }

    private static String reason(ConsumerRecord<byte[], byte[]> r) {
        return String.valueOf(DeadLetters.header(r.headers(), Topics.DLQ_REASON));
    }

    private static void assertSummary(SpecializationApp app) throws Exception {
        JsonNode summary = get(app, "/runs/" + RUN + "/summary");
        assertEquals(RUN, summary.get("runId").asText());
        assertEquals("python", summary.get("primary").asText());
        assertEquals(List.of("go", "cpp"), JSON.convertValue(summary.get("newLanguages"), List.class));
        assertEquals(WINDOWS, summary.get("windowsClosed").asLong(), summary.toString());
        JsonNode last = summary.get("lastWindow");
        assertEquals(WINDOW_ENDS.get(WINDOWS - 1).longValue(), last.get("windowEnd").asLong());
        assertTrue(last.get("complete").asBoolean());
        assertEquals(4 * BLOCK * LAYERS, last.get("selected").asInt());
        assertEquals(2 * BLOCK * LAYERS, last.get("specific").get("python").asInt());
        assertEquals(BLOCK * LAYERS, last.get("specific").get("cpp").asInt());
        assertEquals(BLOCK * LAYERS, last.get("transferring").get("go").asInt());
        assertEquals(0, last.get("transferring").get("cpp").asInt());
    }

    /**
     * The per-neuron probabilities the app kept equal the counts of both ranks added up over
     * their tokens, computed here from the generated records: true for the window split by the
     * restart only if rank 0's merged counts survived it and were not merged twice.
     */
    private static void assertHistoryMatchesTheRanksMergedCounts(SpecializationApp app,
            List<ProducerRecord<byte[], byte[]>> traffic) throws Exception {
        int layer = 2;
        Map<Long, double[]> counts = new TreeMap<>(); // window → [language * NEURONS + neuron]
        Map<Long, long[]> tokens = new HashMap<>();
        List<String> languages = SHAPE.languageIds();
        for (var r : traffic) {
            ActivationStats s = stats(r);
            if (s == null || s.getLayer() != layer) {
                continue;
            }
            float[] c = PackedFloats.unpack(s.getActiveCounts());
            double[] sum = counts.computeIfAbsent(s.getWindowEnd(), w -> new double[c.length]);
            long[] t = tokens.computeIfAbsent(s.getWindowEnd(), w -> new long[languages.size()]);
            for (int i = 0; i < c.length; i++) {
                sum[i] += c[i];
            }
            for (int l = 0; l < languages.size(); l++) {
                t[l] += s.getTokens().get(l);
            }
        }
        for (int neuron : List.of(PYTHON_BLOCK.get(0), SHARED_BLOCK.get(2), 300)) {
            JsonNode history = get(app, "/runs/" + RUN + "/layers/" + layer + "/neurons/" + neuron + "/history");
            assertEquals(WINDOWS, history.size(), history.toString());
            int i = 0;
            for (var window : counts.entrySet()) {
                JsonNode point = history.get(i++);
                assertEquals(window.getKey().longValue(), point.get("windowEnd").asLong());
                for (int l = 0; l < languages.size(); l++) {
                    double expected = window.getValue()[l * NEURONS + neuron] / tokens.get(window.getKey())[l];
                    JsonNode p = point.get("probability").get(languages.get(l));
                    assertNotNull(p, point.toString());
                    assertEquals(expected, p.asDouble(), LayerProbabilities.STEP, "window " + window.getKey() + " neuron " + neuron
                            + " " + languages.get(l));
                }
            }
        }
    }

    private static List<Integer> block(int index) {
        return IntStream.range(index * BLOCK, (index + 1) * BLOCK).boxed().toList();
    }

    private static List<Integer> union(List<Integer> a, List<Integer> b) {
        List<Integer> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(null);
        return all;
    }
}
