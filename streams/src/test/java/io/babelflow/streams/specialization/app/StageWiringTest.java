package io.babelflow.streams.specialization.app;

import static io.babelflow.streams.specialization.app.Events.RUN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.stage.LossHistory;
import io.babelflow.streams.specialization.stage.LossTrajectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The held-out loss trajectory drives the live stages: go held at weight 0 until step 2000 (as
 * babel-tower.yaml does), then a fall, a stall-and-rise and a fall again of its held-out loss, while
 * the neuron and working-language evidence never crosses its thresholds.
 */
class StageWiringTest {
    private static final int LAYERS = 2;
    private static final int NEURONS = 50;
    private static final SpecializationConfig CONFIG = SpecializationConfig.DEFAULTS
            .withLape(new LapeParameters(0.95, 0.03, 0.95))
            .withGrace(Duration.ofSeconds(30));
    /**
     * go's held-out loss at eval steps 1800..2900. Before the join it drifts down with python's progress
     * (5.5, 5.4); α is 4.0 at step 2000. With 3-point means and slopes (the defaults): at 2400 the mean
     * (2.0 + 1.9 + 2.0)/3 has dropped 51 % below α and the slope (2.0 − 2.0)/200 steps is 0 ≥ −0.05·α:
     * STALLED; at 2800 the mean (2.2 + 2.0 + 1.6)/3 = 1.933 is below the stall's 1.967 and the slope
     * (1.6 − 2.2)/200 steps = −3.0/1000 = −0.75·α: FALLING_AGAIN.
     */
    private static final double[] GO = {5.5, 5.4, 4.0, 3.0, 2.0, 1.9, 2.0, 2.1, 2.2, 2.0, 1.6, 1.4};

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestOutputTopic<String, StageChange> drive(boolean evidenceFirst) {
        driver = new TopologyTestDriver(SpecializationApp.topology(CONFIG),
                StreamsDefaults.base("unused:9092", "stage-wiring-test", stateDir.toString(), Map.of()),
                Instant.parse("2026-01-01T00:00:00Z"));
        ByteArraySerializer bytes = new ByteArraySerializer();
        TestInputTopic<byte[], byte[]> runs = driver.createInputTopic(Topics.RUNS.name(), bytes, bytes);
        TestInputTopic<byte[], byte[]> steps = driver.createInputTopic(Topics.TRAIN_STEPS.name(), bytes, bytes);
        TestInputTopic<byte[], byte[]> evals = driver.createInputTopic(Topics.EVAL_RESULTS.name(), bytes, bytes);
        TestInputTopic<byte[], byte[]> activations = driver.createInputTopic(Topics.ACTIVATION_STATS.name(), bytes, bytes);
        runs.pipeInput(key(RUN), AvroSerde.of(RunStarted.class).encode(Events.runStarted(LAYERS, NEURONS, 2)));
        Events.Model model = new Events.Model(LAYERS, NEURONS)
                .set(0, 3, 0.0, 0.9).set(0, 5, 0.9, 0.9).set(1, 7, 0.8, 0.6).set(1, 9, 0.9, 0.0);
        for (int pass = evidenceFirst ? 0 : 1; pass < 2; pass++) {
            for (int i = 0; i < GO.length; i++) {
                long step = 1800 + 100L * i;
                if (!evidenceFirst || pass == 0) {
                    steps.pipeInput(key(RUN), AvroSerde.of(TrainStep.class).encode(Events.trainStep(step, step >= 2000 ? 0.5 : 0)));
                    evals.pipeInput(key(RUN), AvroSerde.of(EvalResult.class).encode(Events.eval(step, GO[i], 1.5)));
                }
                if (pass == 1) {
                    for (ActivationStats s : model.ranks(step - 99, step)) {
                        activations.pipeInput(key(Topics.activationKey(RUN, s.getLayer())),
                                AvroSerde.of(ActivationStats.class).encode(s));
                    }
                }
            }
        }
        return driver.createOutputTopic(Topics.STAGE_CHANGES.name(), new StringDeserializer(),
                Topics.STAGE_CHANGES.valueSerde().deserializer());
    }

    @Test
    void windowsThatCloseAfterNewerLossEvidenceAreJudgedAtTheirOwnStep() {
        // a replay publishes the light topics faster than the statistics: every eval is in before any window
        List<StageChange> found = drive(true).readValuesToList();
        assertEquals(List.of(2000L, 2400L, 2800L), found.stream().map(StageChange::getStep).toList(), found.toString());
        assertEquals(List.of(Stage.TRANSLATION, Stage.TRANSITION, Stage.STABILIZATION),
                found.stream().map(StageChange::getTo).toList());
    }

    @Test
    void theLossTrajectorySinceTheIntroductionMovesTheStages() {
        TestOutputTopic<String, StageChange> changes = drive(false);
        List<StageChange> found = changes.readValuesToList();
        assertEquals(List.of(Stage.TRANSLATION, Stage.TRANSITION, Stage.STABILIZATION),
                found.stream().map(StageChange::getTo).toList(), found.toString());
        // no stage before go is trained on: the windows of 1800 and 1900 read its probe text only
        assertEquals(List.of(2000L, 2400L, 2800L), found.stream().map(StageChange::getStep).toList());
        assertNull(found.get(0).getFrom());
        Map<String, Double> transition = found.get(1).getSignals();
        assertEquals(2000.0, transition.get("introducedAtStep"));
        assertEquals(4.0, transition.get("lossAlpha"), 1e-12, "α at the introduction, not 5.5 of step 1800");
        assertEquals(2400.0, transition.get("lossStalledAtStep"));
        assertTrue(Double.isNaN(transition.get("workingLanguageShare")), "the neurons' route was not taken");
        assertTrue(found.get(1).getReason().contains("held-out loss stalled"), found.get(1).getReason());
        Map<String, Double> stable = found.get(2).getSignals();
        assertEquals(2800.0, stable.get("lossFallingAgainAtStep"));
        assertTrue(found.get(2).getReason().contains("falling again"), found.get(2).getReason());

        LossHistory history = driver.<String, LossHistory>getKeyValueStore(SpecializationStores.HELD_OUT_LOSS).get(RUN);
        assertEquals(Map.of("python", 1800L, "go", 2000L), history.introduced());
        assertEquals(LossTrajectory.Phase.FALLING_AGAIN, history.trajectory("go").phase());
    }

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
