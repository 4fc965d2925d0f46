package io.babelflow.streams.specialization.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunStarted;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.window.BinaryStateSerdes;
import io.babelflow.streams.specialization.window.LayerCounts;
import io.babelflow.streams.specialization.window.LayerPiece;
import io.babelflow.streams.specialization.window.WindowAnalysis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ranks of a layer are added up before the repartition: whatever order and timing the ranks
 * arrive in, the app's records equal those of the window's records merged in one place and
 * analysed (the {@link WindowAnalysis} on all counts added up, the path without the rank-merge),
 * and one piece per layer crosses the repartition topic when the ranks come together.
 */
class RankMergeTest {
    private static final AvroSerde<ActivationStats> STATS = AvroSerde.of(ActivationStats.class);
    private static final int RANKS = 4;
    private static final int LAYERS = 3;
    private static final int NEURONS = 40;
    private static final Duration GRACE = Duration.ofSeconds(40);
    private static final SpecializationConfig CONFIG = SpecializationConfig.DEFAULTS
            .withLape(new LapeParameters(0.95, 0.05, 0.9)).withGrace(GRACE);
    private static final RunStarted RUN = Events.runStarted(LAYERS, NEURONS, RANKS);

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> activations;
    private TestOutputTopic<String, NeuronSpecialization> specializations;
    private TestOutputTopic<String, LayerPiece> pieces;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        driver = new TopologyTestDriver(SpecializationApp.topology(CONFIG),
                StreamsDefaults.base("unused:9092", "rank-merge-test", stateDir.toString(), Map.of()),
                Instant.parse("2026-01-01T00:00:00Z"));
        ByteArraySerializer bytes = new ByteArraySerializer();
        activations = driver.createInputTopic(Topics.ACTIVATION_STATS.name(), bytes, bytes);
        specializations = driver.createOutputTopic(Topics.NEURON_SPECIALIZATION.name(), new StringDeserializer(),
                Topics.NEURON_SPECIALIZATION.valueSerde().deserializer());
        pieces = driver.createOutputTopic("rank-merge-test-" + SpecializationApp.ACTIVATION_REPARTITION + "-repartition",
                new StringDeserializer(), BinaryStateSerdes.LAYER_PIECE.deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        driver.createInputTopic(Topics.RUNS.name(), bytes, bytes).pipeInput(Events.RUN.getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(RunStarted.class).encode(RUN));
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void ranksInterleavedInAnyOrderGiveTheResultsOfAllRecordsAddedUpInOnePlace() {
        for (int w = 0; w < 3; w++) {
            List<ActivationStats> window = window(w, 100 + w);
            List<ActivationStats> shuffled = new ArrayList<>(window);
            Collections.shuffle(shuffled, new Random(w));
            shuffled.forEach(this::send);

            assertEquals(expected(window), actual(specializations.readValuesToList()), "window " + w);
            List<LayerPiece> crossed = pieces.readValuesToList();
            assertEquals(LAYERS, crossed.size(), "one piece per layer crossed the repartition");
            crossed.forEach(p -> assertEquals(RANKS, p.ranks().length));
        }
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aRankLaterThanTheLingerFollowsInAPieceOfItsOwnAndTheWindowStaysExact() {
        List<ActivationStats> window = window(0, 7);
        window.stream().filter(s -> s.getRank() != 2).forEach(this::send);
        assertTrue(pieces.isEmpty(), "ranks 0, 1 and 3 wait for rank 2");
        driver.advanceWallClockTime(GRACE.dividedBy(4).plusSeconds(1));
        List<LayerPiece> early = pieces.readValuesToList();
        assertEquals(LAYERS, early.size());
        early.forEach(p -> assertEquals(List.of(0, 1, 3), p.rankList().stream().sorted().toList()));
        assertTrue(specializations.isEmpty(), "the window waits for rank 2 within its grace");

        window.stream().filter(s -> s.getRank() == 2).forEach(this::send);
        List<LayerPiece> late = pieces.readValuesToList();
        assertEquals(LAYERS, late.size());
        late.forEach(p -> assertEquals(List.of(2), p.rankList()));
        List<NeuronSpecialization> out = specializations.readValuesToList();
        assertEquals(expected(window), actual(out));
        out.forEach(s -> assertTrue(s.getComplete()));
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aRankSentTwiceIsDeadLetteredWithItsBytesBeforeOrAfterItsLayerWasForwarded() {
        List<ActivationStats> window = window(0, 11);
        ActivationStats rank1layer0 = window.stream().filter(s -> s.getRank() == 1 && s.getLayer() == 0).findFirst()
                .orElseThrow();
        send(rank1layer0);
        send(rank1layer0); // offset 1: pending in the rank-merge
        window.stream().filter(s -> s != rank1layer0).forEach(this::send);
        send(rank1layer0); // offset 2 + 11: its layer went on complete
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(2, dead.size());
        for (TestRecord<byte[], byte[]> d : dead) {
            assertTrue(DeadLetters.header(d.headers(), Topics.DLQ_REASON).startsWith("duplicate: rank 1 layer 0"));
            assertArrayEquals(STATS.encode(rank1layer0), d.value(), "original bytes kept");
        }
        assertEquals("1", DeadLetters.header(dead.get(0).headers(), Topics.DLQ_SOURCE_OFFSET));
        assertEquals(String.valueOf(2 + window.size() - 1), DeadLetters.header(dead.get(1).headers(), Topics.DLQ_SOURCE_OFFSET));
        assertEquals(expected(window), actual(specializations.readValuesToList()));
    }

    /** Four ranks with different token counts and random counts; go-specific and python-specific neurons planted. */
    private static List<ActivationStats> window(int index, long seed) {
        Random random = new Random(seed);
        List<ActivationStats> records = new ArrayList<>();
        for (int rank = 0; rank < RANKS; rank++) {
            long tokens = 500L + 250L * rank + random.nextInt(100);
            for (int layer = 0; layer < LAYERS; layer++) {
                float[][] counts = new float[2][NEURONS];
                for (int l = 0; l < 2; l++) {
                    for (int n = 0; n < NEURONS; n++) {
                        double p = n == layer + l * 10 ? 0.9 : 0.05 + 0.2 * random.nextDouble();
                        counts[l][n] = Math.round(p * tokens);
                    }
                }
                records.add(Events.stats(rank, RANKS, index * 100L, index * 100L + 99, layer, LAYERS,
                        new long[] {tokens, tokens}, counts));
            }
        }
        return records;
    }

    /** The window analysed on all its records added up in one place, stamped like {@link #actual}. */
    private static List<NeuronSpecialization> expected(List<ActivationStats> window) {
        SortedMap<Integer, LayerCounts> layers = new TreeMap<>();
        window.forEach(s -> layers.computeIfAbsent(s.getLayer(), l -> new LayerCounts(NEURONS)).add(s));
        ActivationStats first = window.get(0);
        return actual(new WindowAnalysis(CONFIG.lape(), CONFIG.statsSource()).analyse(new WindowAnalysis.Window(
                        Events.RUN, first.getWindowStart(), first.getWindowEnd(), true, List.of()), layers, RUN,
                Map.of(), true, 0).orElseThrow().records());
    }

    /** In layer order, creation time and the comparison with the previous window set aside. */
    private static List<NeuronSpecialization> actual(List<NeuronSpecialization> records) {
        return records.stream().map(r -> NeuronSpecialization.newBuilder(r).setCreatedAt(Instant.EPOCH)
                        .setJaccardWithPrevious(Map.of()).build())
                .sorted(Comparator.comparingInt(NeuronSpecialization::getLayer)).toList();
    }

    private void send(ActivationStats stats) {
        activations.pipeInput(Topics.activationKey(stats.getRunId(), stats.getLayer()).getBytes(StandardCharsets.UTF_8),
                STATS.encode(stats));
    }
}
