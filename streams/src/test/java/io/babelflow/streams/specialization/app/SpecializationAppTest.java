package io.babelflow.streams.specialization.app;

import static io.babelflow.streams.specialization.app.Events.RUN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.StatsSource;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.InteractiveQueries;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.window.LayerProbabilities;
import io.babelflow.streams.specialization.query.SpecializationQueries;
import io.babelflow.streams.specialization.stage.RunSummary;
import io.babelflow.streams.specialization.stage.StageThresholds;
import io.babelflow.streams.specialization.stage.StageTimeline;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecializationAppTest {
    private static final AvroSerde<ActivationStats> STATS = AvroSerde.of(ActivationStats.class);
    private static final int LAYERS = 2;
    private static final int NEURONS = 50;
    /** 100 neurons x 0.03 = 3 selected. */
    private static final SpecializationConfig CONFIG = SpecializationConfig.DEFAULTS
            .withLape(new LapeParameters(0.95, 0.03, 0.95))
            .withGrace(Duration.ofSeconds(30));

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> activations;
    private TestInputTopic<byte[], byte[]> runs;
    private TestInputTopic<byte[], byte[]> workingLanguage;
    private TestInputTopic<byte[], byte[]> evals;
    private TestOutputTopic<String, NeuronSpecialization> specializations;
    private TestOutputTopic<String, StageChange> stageChanges;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(SpecializationConfig config) {
        driver = new TopologyTestDriver(SpecializationApp.topology(config),
                StreamsDefaults.base("unused:9092", "specialization-test", stateDir.toString(), Map.of()),
                Instant.parse("2026-01-01T00:00:00Z"));
        ByteArraySerializer bytes = new ByteArraySerializer();
        activations = driver.createInputTopic(Topics.ACTIVATION_STATS.name(), bytes, bytes);
        runs = driver.createInputTopic(Topics.RUNS.name(), bytes, bytes);
        workingLanguage = driver.createInputTopic(Topics.WORKING_LANGUAGE.name(), bytes, bytes);
        evals = driver.createInputTopic(Topics.EVAL_RESULTS.name(), bytes, bytes);
        specializations = driver.createOutputTopic(Topics.NEURON_SPECIALIZATION.name(), new StringDeserializer(),
                Topics.NEURON_SPECIALIZATION.valueSerde().deserializer());
        stageChanges = driver.createOutputTopic(Topics.STAGE_CHANGES.name(), new StringDeserializer(),
                Topics.STAGE_CHANGES.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        runs.pipeInput(key(RUN), AvroSerde.of(RunStarted.class).encode(Events.runStarted(LAYERS, NEURONS, 2)));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** go-only, python-only, python+go (transferring) and a uniformly high neuron over a 0.1 floor. */
    private static Events.Model model() {
        return new Events.Model(LAYERS, NEURONS)
                .set(0, 3, 0.0, 0.9)
                .set(0, 5, 0.9, 0.9)
                .set(1, 7, 0.8, 0.6)
                .set(1, 9, 0.9, 0.0);
    }

    @Test
    void selectsSpecificAndTransferringNeuronsOnceTheWindowIsComplete() {
        start(CONFIG);
        List<ActivationStats> records = model().ranks(0, 99);
        for (int i = 0; i < records.size() - 1; i++) {
            send(records.get(i));
        }
        assertTrue(specializations.isEmpty(), "window closed before rank 1 layer 1 arrived");
        send(records.get(records.size() - 1));

        Map<Integer, NeuronSpecialization> byLayer = byLayer(specializations.readValuesToList());
        assertEquals(2, byLayer.size());
        NeuronSpecialization layer0 = byLayer.get(0);
        NeuronSpecialization layer1 = byLayer.get(1);
        assertTrue(layer0.getComplete());
        assertEquals(List.of(), layer0.getMissingRanks());
        assertEquals(0.1, layer0.getProbabilityBar(), 1e-12, "190th of 200 probabilities");
        assertEquals(0.03, layer0.getTopRate());
        // go-only neuron 3 is go-specific; uniform neuron 5 is a candidate but loses on entropy
        assertEquals(List.of(3), layer0.getSpecificNeurons().get("go"));
        assertEquals(List.of(), layer0.getSpecificNeurons().get("python"));
        assertEquals(List.of(), layer0.getTransferringNeurons().get("go"));
        // neuron 7 fires for python and go: specific to both, so transferring for go
        assertEquals(List.of(7), layer1.getSpecificNeurons().get("go"));
        assertEquals(List.of(7, 9), layer1.getSpecificNeurons().get("python"));
        assertEquals(List.of(7), layer1.getTransferringNeurons().get("go"));
        assertTrue(layer1.getJaccardWithPrevious().isEmpty(), "first window has no previous");
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void ranksAreMergedByAddition() {
        start(CONFIG);
        model().ranks(0, 99).forEach(this::send);
        SpecializationQueries queries = queries();
        // rank 0 alone says 0.72, rank 1 alone 0.96: only the sum of counts over the sum of tokens gives 0.9
        List<SpecializationQueries.HistoryPoint> history = queries.neuronHistory(RUN, 0, 3);
        assertEquals(1, history.size());
        assertEquals(99, history.get(0).windowEnd());
        assertEquals(0.9, history.get(0).probability().get("go"), LayerProbabilities.STEP);
        assertEquals(0.0, history.get(0).probability().get("python"), 0.0);
        assertEquals(0.1, queries.neuronHistory(RUN, 1, 0).get(0).probability().get("python"), LayerProbabilities.STEP);
    }

    @Test
    void incompleteWindowClosesAfterTheGracePeriodWithTheMissingRanks() {
        start(CONFIG);
        List<ActivationStats> records = model().ranks(100, 199);
        send(records.get(0)); // rank 0 layer 0
        send(records.get(1)); // rank 0 layer 1
        driver.advanceWallClockTime(Duration.ofSeconds(29));
        assertTrue(specializations.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<NeuronSpecialization> out = specializations.readValuesToList();
        assertEquals(2, out.size());
        for (NeuronSpecialization s : out) {
            assertFalse(s.getComplete());
            assertEquals(List.of(1), s.getMissingRanks());
        }
        // rank 1 reporting now is late: it goes to the dead-letter topic rather than reopening the window
        send(records.get(2));
        TestRecord<byte[], byte[]> late = deadLetters.readRecord();
        assertTrue(reason(late).startsWith("late:"), reason(late));
        assertTrue(specializations.isEmpty());
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndProcessingContinues() {
        start(CONFIG);
        List<ActivationStats> good = model().ranks(0, 99);
        byte[] garbage = "not an avro record".getBytes(StandardCharsets.UTF_8);
        activations.pipeInput(key(RUN + "/0"), garbage);                                  // offset 0

        ActivationStats nan = ActivationStats.newBuilder(good.get(0)).build();
        float[] counts = PackedFloats.unpack(nan.getActiveCounts());
        counts[17] = Float.NaN;
        nan.setActiveCounts(PackedFloats.pack(counts));
        send(nan);                                                                        // offset 1

        ActivationStats shortArray = ActivationStats.newBuilder(good.get(1)).build();
        shortArray.setActiveCounts(ByteBuffer.wrap(new byte[12]));
        send(shortArray);                                                                 // offset 2

        ActivationStats aboveTokens = ActivationStats.newBuilder(good.get(0)).build();
        counts = PackedFloats.unpack(aboveTokens.getActiveCounts());
        counts[0] = 1001; // rank 0 saw 1000 python tokens
        aboveTokens.setActiveCounts(PackedFloats.pack(counts));
        send(aboveTokens);                                                                // offset 3

        ActivationStats wrongShape = Events.stats(0, 2, 0, 99, 0, LAYERS, new long[] {10, 10},
                new float[][] {new float[40], new float[40]});
        send(wrongShape);                                                                 // offset 4

        send(good.get(0));                                                                // offset 5
        send(good.get(0));                                                                // offset 6: duplicate
        for (int i = 1; i < good.size(); i++) {
            send(good.get(i));
        }

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(6, dead.size(), dead.stream().map(SpecializationAppTest::reason).toList().toString());
        assertTrue(reason(dead.get(0)).contains("cannot decode ActivationStats"), reason(dead.get(0)));
        assertArrayEquals(garbage, dead.get(0).value(), "original bytes kept");
        assertEquals(RUN + "/0", new String(dead.get(0).key(), StandardCharsets.UTF_8));
        assertTrue(reason(dead.get(1)).contains("is NaN"), reason(dead.get(1)));
        assertTrue(reason(dead.get(2)).contains("activeCounts has 12 bytes"), reason(dead.get(2)));
        assertTrue(reason(dead.get(3)).contains("probability outside [0, 1]"), reason(dead.get(3)));
        assertTrue(reason(dead.get(4)).contains("disagrees with RunStarted"), reason(dead.get(4)));
        assertTrue(reason(dead.get(5)).startsWith("duplicate:"), reason(dead.get(5)));
        assertArrayEquals(STATS.encode(nan), dead.get(1).value());
        long[] offsets = {0, 1, 2, 3, 4, 6};
        for (int i = 0; i < dead.size(); i++) {
            TestRecord<byte[], byte[]> d = dead.get(i);
            assertEquals(Topics.ACTIVATION_STATS.name(), header(d, Topics.DLQ_SOURCE_TOPIC), "even after the repartition");
            assertEquals("0", header(d, Topics.DLQ_SOURCE_PARTITION));
            assertEquals(String.valueOf(offsets[i]), header(d, Topics.DLQ_SOURCE_OFFSET));
            assertEquals("specialization", header(d, Topics.DLQ_APP));
        }
        assertEquals(2, specializations.readValuesToList().size(), "the good records still close the window");
    }

    @Test
    void poisonOnTheOtherInputsIsDivertedToo() {
        start(CONFIG);
        workingLanguage.pipeInput(key(RUN), new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        evals.pipeInput(key(RUN), AvroSerde.of(EvalResult.class).encode(Events.eval(100, Double.NaN, 2.0)));
        runs.pipeInput(key("other"), new byte[3]);
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(3, dead.size());
        assertEquals(Topics.WORKING_LANGUAGE.name(), header(dead.get(0), Topics.DLQ_SOURCE_TOPIC));
        assertTrue(reason(dead.get(0)).contains("unknown schema fingerprint"), reason(dead.get(0)));
        assertTrue(reason(dead.get(1)).contains("not a finite cross-entropy"), reason(dead.get(1)));
        assertTrue(reason(dead.get(2)).contains("shorter than the 10-byte"), reason(dead.get(2)));
    }

    @Test
    void lapeReadsHeldOutStatisticsByDefaultAndTrainWindowsOnRequest() {
        start(CONFIG);
        for (ActivationStats s : model().ranks(0, 99)) {
            s.setSource(StatsSource.TRAIN);
            send(s);
        }
        driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertTrue(specializations.isEmpty(), "TRAIN statistics are not the default input");
        assertTrue(deadLetters.isEmpty());
        model().ranks(0, 199).forEach(this::send);
        assertFalse(specializations.isEmpty());
        specializations.readValuesToList().forEach(v -> assertEquals(StatsSource.HELDOUT, v.getSource()));

        driver.close();
        start(CONFIG.withStatsSource(StatsSource.TRAIN));
        for (ActivationStats s : model().ranks(0, 99)) {
            s.setSource(StatsSource.TRAIN);
            send(s);
        }
        List<NeuronSpecialization> train = specializations.readValuesToList();
        assertFalse(train.isEmpty(), "TRAIN mode selects on training windows");
        train.forEach(v -> assertEquals(StatsSource.TRAIN, v.getSource()));
    }

    @Test
    void walksTheBabelTowerStagesAndServesTheTimeline() {
        // one qualifying window suffices here; hysteresis is StageDetectorTest's subject
        start(CONFIG.withLape(new LapeParameters(0.95, 0.05, 0.95))
                .withStages(new StageThresholds(0.5, 0.35, 0.7, 0.5, 0.02, 1)));
        model().ranks(0, 99).forEach(this::send);
        StageChange first = stageChanges.readValue();
        assertNull(first.getFrom());
        assertEquals(Stage.TRANSLATION, first.getTo());
        assertEquals(99, first.getStep());

        for (int layer = 0; layer < LAYERS; layer++) {
            workingLanguage.pipeInput(key(RUN), AvroSerde.of(WorkingLanguage.class)
                    .encode(Events.workingLanguage(100, layer, LAYERS, 0.6, 0.2)));
        }
        for (long step : new long[] {100, 200, 300}) {
            evals.pipeInput(key(RUN), AvroSerde.of(EvalResult.class).encode(Events.eval(step, 2.0, 1.5)));
        }
        Events.Model own = model().set(1, 11, 0.0, 0.9); // go grows a neuron of its own
        own.ranks(100, 199).forEach(this::send);
        StageChange second = stageChanges.readValue();
        assertEquals(Stage.TRANSITION, second.getTo());
        // bar 0.1 (the floor): go's excess 0.8 + 0.8 + 0.5 + 0.8 over neurons 3, 5, 7, 11; python shares
        // min(0.8, 0.8) on 5 and min(0.5, 0.7) on 7 → 1.3 / 2.9
        assertEquals(1.3 / 2.9, second.getSignals().get("transferRatio"), 1e-9);
        assertEquals(0.75, second.getSignals().get("workingLanguageShare"), 1e-12);

        own.ranks(200, 299).forEach(this::send);
        StageChange third = stageChanges.readValue();
        assertEquals(Stage.STABILIZATION, third.getTo());
        assertEquals(1.0, third.getSignals().get("jaccardWithPrevious"), 1e-12);
        assertEquals(0.0, third.getSignals().get("heldOutLossSlopePer1000Steps"), 1e-12);
        assertTrue(stageChanges.isEmpty());

        SpecializationQueries queries = queries();
        assertEquals(List.of(Stage.TRANSLATION, Stage.TRANSITION, Stage.STABILIZATION),
                queries.stages(RUN).orElseThrow().changes().stream().map(StageTimeline.Entry::to).toList());
        RunSummary summary = queries.summary(RUN).orElseThrow();
        assertEquals(Stage.STABILIZATION, summary.stage("go").stage());
        assertEquals(3, summary.windowsClosed());
        assertEquals(299, summary.lastWindow().windowEnd());
        assertEquals(4, summary.lastWindow().specific().get("go"));
        SpecializationQueries.LayerNeurons layer1 = queries.layerNeurons(RUN, 1).orElseThrow();
        assertEquals(299, layer1.windowEnd());
        assertEquals(List.of(7, 11), layer1.specific().get("go"));
        assertEquals(List.of(7), layer1.transferring().get("go"));
    }

    @Test
    void processorsAndStoresAreExplicitlyNamed() {
        TopologyDescription description = SpecializationApp.topology(CONFIG).describe();
        String text = description.toString();
        for (String name : List.of("activation-intake", "window-merge", "run-registry", "working-language-share",
                "held-out-loss-slope", "stage-detector", "activation-intake-dead-letter-sink",
                "window-merge-dead-letter-sink", "neuron-specialization-sink", "stage-changes-sink",
                SpecializationStores.WINDOW_SOURCES, SpecializationStores.RANK_PARTIALS, SpecializationStores.RUN_SUMMARY)) {
            assertTrue(text.contains(name), name + " missing from\n" + text);
        }
        assertFalse(text.contains("KSTREAM-"), "a generated name:\n" + text);
        assertEquals(2, description.subtopologies().size(), text);
    }

    @Test
    void runKeyedInputsArePartitionedLikeTheRepartitionTopic() {
        // one task must see a run's RunStarted, statistics, readings and evals together
        assertEquals(Topics.RUNS.partitions(), Topics.WORKING_LANGUAGE.partitions());
        assertEquals(Topics.RUNS.partitions(), Topics.EVAL_RESULTS.partitions());
    }

    private SpecializationQueries queries() {
        return new SpecializationQueries(new InteractiveQueries.StoreAccess() {
            @Override
            public <V> org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, V> store(String name) {
                return driver.getKeyValueStore(name);
            }
        }, run -> java.util.Optional.empty());
    }

    private void send(ActivationStats stats) {
        activations.pipeInput(key(Topics.activationKey(stats.getRunId(), stats.getLayer())), STATS.encode(stats));
    }

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<Integer, NeuronSpecialization> byLayer(List<NeuronSpecialization> records) {
        return records.stream().collect(java.util.stream.Collectors.toMap(NeuronSpecialization::getLayer, r -> r));
    }

    private static String reason(TestRecord<byte[], byte[]> record) {
        return header(record, Topics.DLQ_REASON);
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name);
    }
}
