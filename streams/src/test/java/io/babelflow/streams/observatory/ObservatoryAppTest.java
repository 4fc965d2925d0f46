package io.babelflow.streams.observatory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.ModelShape;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.InteractiveQueries;
import io.babelflow.streams.StreamsDefaults;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObservatoryAppTest {
    private static final String RUN = "run-obs";
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private final List<ObservatoryUpdate> updates = new ArrayList<>();
    private TopologyTestDriver driver;
    private ObservatoryQueries queries;

    @BeforeEach
    void start() {
        Properties props = StreamsDefaults.base("unused:9092", "observatory-test",
                System.getProperty("java.io.tmpdir") + "/observatory-test-" + System.nanoTime(), Map.of());
        driver = new TopologyTestDriver(ObservatoryApp.topology(updates::add), props);
        queries = new ObservatoryQueries(new InteractiveQueries.StoreAccess() {
            @Override
            public <V> ReadOnlyKeyValueStore<String, V> store(String name) {
                return driver.getKeyValueStore(name);
            }
        }, runId -> Optional.empty());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aRunsTimelineHoldsEveryKindOfEvent() {
        send(Topics.RUNS, started(0));
        for (int step = 0; step < 10; step++) {
            send(Topics.TRAIN_STEPS, step(step, step == 7 ? 9.0 : 2.0));
        }
        send(Topics.EVAL_RESULTS, EvalResult.newBuilder().setRunId(RUN).setSequence(20).setStep(9)
                .setTimestamp(T0.plusSeconds(10)).setLanguageLoss(Map.of("python", 2.1, "go", 2.9))
                .setLanguageTokens(Map.of("python", 100L, "go", 100L)).build());
        send(Topics.MIXTURE_CONTROL, MixtureUpdate.newBuilder().setRunId(RUN).setVersion(1)
                .setWeights(Map.of("python", 0.6, "go", 0.4)).setPolicy("exp3").setReason("go loss 2.9 > 2.1")
                .setBasedOnStep(9).setCreatedAt(T0.plusSeconds(11)).build());
        send(Topics.STAGE_CHANGES, StageChange.newBuilder().setRunId(RUN).setLanguage("go").setTo(Stage.TRANSLATION)
                .setStep(9).setSignals(Map.of("share", 0.1)).setReason("share 0.1 < 0.3")
                .setCreatedAt(T0.plusSeconds(12)).build());
        send(Topics.WORKING_LANGUAGE, WorkingLanguage.newBuilder().setRunId(RUN).setSequence(21).setStep(9)
                .setTimestamp(T0.plusSeconds(10)).setLayer(1).setLayers(2)
                .setReadings(List.of(new LanguageReading("go", 4, Map.of("go", 0.25, "python", 0.75)))).build());
        send(Topics.NEURON_SPECIALIZATION, neurons(0, Map.of("go", List.of(1, 2, 3), "python", List.of(3, 4)),
                Map.of("go", List.of(3))));
        assertTrue(updates.stream().noneMatch(u -> u.kind().equals("transfer")), "one of two layers is not a window");
        send(Topics.NEURON_SPECIALIZATION, neurons(1, Map.of("go", List.of(5), "python", List.of(5, 6)),
                Map.of("go", List.of(5))));
        send(Topics.RUN_ENDS, RunEnded.newBuilder().setRunId(RUN).setSequence(30).setEndedAt(T0.plusSeconds(20))
                .setLastStep(9).setReason("completed").build());

        RunView view = queries.run(RUN).orElseThrow();
        assertEquals("completed", view.state());
        assertEquals("exp3", view.policy());
        assertEquals("python", view.primary());
        assertEquals(9, view.lastStep());
        assertEquals(1000, view.tokens());
        assertEquals(0.0, view.stepsPerSecond()); // ended
        ObservatoryUpdate last = updates.stream().filter(u -> u.kind().equals("train")).reduce((a, b) -> b).orElseThrow();
        assertEquals(1.0, (double) ((Map<?, ?>) last.data()).get("stepsPerSecond"), 1e-9); // one step a second
        assertEquals(Map.of("go", "TRANSLATION"), view.stages());

        ObservatoryQueries.Series loss = queries.series(RUN, "loss/train/all").get(0);
        assertEquals(1, loss.width());
        assertEquals(10, loss.buckets().size());
        assertEquals(9.0, loss.buckets().get(7).max());
        ObservatoryQueries.Series tokens = queries.series(RUN, "tokens/go").get(0);
        assertEquals(400.0, tokens.buckets().get(9).last()); // running total: 10 steps x 40
        assertEquals(2.9, queries.series(RUN, "loss/heldout/go").get(0).buckets().get(0).last());
        assertEquals(0.25, queries.series(RUN, "wl/go/1").get(0).buckets().get(0).last());
        assertEquals(3.0, queries.series(RUN, "neurons/specific/go/0").get(0).buckets().get(0).last());
        // transfer ratio over the whole window: (1 + 1) transferring / (3 + 1) specific
        assertEquals(0.5, queries.series(RUN, "transfer/go").get(0).buckets().get(0).last(), 1e-12);

        List<TimelineEvent> events = queries.events(RUN);
        assertEquals(List.of("mixture", "stage"), events.stream().map(TimelineEvent::kind).toList());
        assertEquals("go loss 2.9 > 2.1", events.get(0).reason());
        LayerWindow layer0 = queries.layers(RUN).get(0);
        assertEquals(Map.of("go|python", 1), layer0.overlap());
        assertTrue(updates.stream().anyMatch(u -> u.kind().equals("train") && u.step() == 9));
    }

    @Test
    void aResumedRunSupersedesTheStepsAfterItsCheckpoint() {
        send(Topics.RUNS, started(0));
        for (int step = 0; step < 10; step++) {
            send(Topics.TRAIN_STEPS, step(step, 5.0));
        }
        send(Topics.RUNS, started(6)); // resumed from the checkpoint at step 6
        for (int step = 6; step < 12; step++) {
            send(Topics.TRAIN_STEPS, step(step, 1.0));
        }
        List<Bucket> buckets = queries.series(RUN, "loss/train/all").get(0).buckets();
        assertEquals(12, buckets.size());
        assertEquals(5.0, buckets.get(5).mean());
        for (int step = 6; step < 12; step++) {
            assertEquals(1.0, buckets.get(step).mean(), "step " + step);
            assertEquals(1, buckets.get(step).count());
        }
        assertEquals(2, queries.run(RUN).orElseThrow().parts());
    }

    @Test
    void aForkNamesItsParentAndStartsAtTheForkStep() {
        send(Topics.RUNS, RunStarted.newBuilder(started(30)).setParentRunId("run-parent").setForkStep(30L).build());
        for (int step = 30; step < 35; step++) {
            send(Topics.TRAIN_STEPS, step(step, 2.0));
        }
        RunView view = queries.run(RUN).orElseThrow();
        assertEquals(new RunView.Fork("run-parent", 30), view.fork());
        assertEquals(30, queries.series(RUN, "loss/train/all").get(0).buckets().get(0).start());
        send(Topics.RUNS, started(0));
        assertEquals(new RunView.Fork("run-parent", 30), queries.run(RUN).orElseThrow().fork(), "kept by a later part");
    }

    @Test
    void aLongRunStaysWithinItsBucketsAndKeepsItsSpike() {
        send(Topics.RUNS, started(0));
        for (int step = 0; step < 3000; step++) {
            send(Topics.TRAIN_STEPS, step(step, step == 2345 ? 40.0 : 2.0));
        }
        ObservatoryQueries.Series loss = queries.series(RUN, "loss/train/all").get(0);
        assertEquals(8, loss.width()); // 512 x 8 = 4096 > 3000
        assertEquals(375, loss.buckets().size());
        assertEquals(40.0, loss.buckets().stream().mapToDouble(Bucket::max).max().orElse(0));
        assertEquals(3000, loss.buckets().stream().mapToLong(Bucket::count).sum());
    }

    @Test
    void undecodableInputIsDivertedAndDeadLettersAreCountedByReason() {
        var raw = driver.createInputTopic(Topics.TRAIN_STEPS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        raw.pipeInput("k".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
        var dlq = driver.createOutputTopic(Topics.DEAD_LETTER.name(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        assertEquals("not avro", new String(dlq.readValue(), StandardCharsets.UTF_8));

        var dead = driver.createInputTopic(Topics.DEAD_LETTER.name(), new ByteArraySerializer(), new ByteArraySerializer());
        for (int i = 0; i < 3; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(Topics.DLQ_REASON, ("invalid TrainStep: loss NaN at step " + i).getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.DLQ_SOURCE_TOPIC, Topics.TRAIN_STEPS.name().getBytes(StandardCharsets.UTF_8));
            dead.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(null, new byte[] {1}, headers));
        }
        // the undecodable record above reached the dead-letter topic too
        assertEquals(Map.of("invalid TrainStep", Map.of(Topics.TRAIN_STEPS.name(), 3L),
                "cannot decode TrainStep", Map.of(Topics.TRAIN_STEPS.name(), 1L)), queries.deadLetters());
    }

    private RunStarted started(long startStep) {
        return RunStarted.newBuilder().setRunId(RUN).setSequence(0).setStartedAt(T0.plusSeconds(startStep))
                .setStartStep(startStep).setConfig("")
                .setLanguages(List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.7),
                        new LanguageSpec("go", LanguageRole.NEW, 0.3)))
                .setModel(new ModelShape(2, 64, 4, 256, 128, 256)).setFeedbackPolicy("exp3").build();
    }

    private static TrainStep step(long step, double loss) {
        return TrainStep.newBuilder().setRunId(RUN).setStep(step).setSequence(step + 1)
                .setTimestamp(T0.plusSeconds(step)).setTokens(100).setLearningRate(1e-3).setLoss(loss)
                .setLanguageLoss(Map.of("python", loss, "go", loss + 1))
                .setLanguageTokens(Map.of("python", 60L, "go", 40L)).setMixtureVersion(0)
                .setMixtureWeights(Map.of("python", 0.6, "go", 0.4)).build();
    }

    private static NeuronSpecialization neurons(int layer, Map<String, List<Integer>> specific,
            Map<String, List<Integer>> transferring) {
        return NeuronSpecialization.newBuilder().setRunId(RUN).setWindowStart(0).setWindowEnd(9).setLayer(layer)
                .setNeurons(8).setComplete(true).setProbabilityBar(0.4).setTopRate(0.05).setMeanEntropy(0.5)
                .setSpecificNeurons(specific).setTransferringNeurons(transferring).setCreatedAt(T0).build();
    }

    private <V> void send(io.babelflow.schemas.Topic<String, V> topic, V value) {
        TestInputTopic<String, V> in = driver.createInputTopic(topic.name(), new StringSerializer(),
                topic.valueSerde().serializer());
        in.pipeInput(RUN, value);
        assertNotNull(value);
    }
}
