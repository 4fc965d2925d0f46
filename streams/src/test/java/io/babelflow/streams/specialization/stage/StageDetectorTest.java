package io.babelflow.streams.specialization.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.Stage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageDetectorTest {
    private final StageDetector detector = new StageDetector(StageThresholds.DEFAULTS);

    @Test
    void walksTranslationTransitionStabilization() {
        List<StageObservation> script = new ArrayList<>();
        long step = 0;
        // Translation: most of go's neurons are shared with python, it "thinks" in python, loss falls fast
        for (int i = 0; i < 4; i++) {
            script.add(new StageObservation(step += 100, 0.9 - 0.05 * i, 0.1 + 0.03 * i, -0.8, 0.3));
        }
        // Transition: own neurons grow, share rises, loss still falls, sets still move
        for (int i = 0; i < 5; i++) {
            script.add(new StageObservation(step += 100, 0.4 - 0.02 * i, 0.4 + 0.02 * i, -0.3, 0.5));
        }
        // Stabilization: stable sets, high share, flat loss
        for (int i = 0; i < 4; i++) {
            script.add(new StageObservation(step += 100, 0.2, 0.7, 0.005, 0.9));
        }
        List<StageDetector.Change> changes = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        StageState state = StageState.INITIAL;
        for (StageObservation o : script) {
            StageDetector.Outcome outcome = detector.observe(state, o);
            state = outcome.state();
            if (outcome.change() != null) {
                changes.add(outcome.change());
                steps.add(o.step());
            }
        }
        assertEquals(3, changes.size(), changes.toString());
        assertNull(changes.get(0).from());
        assertEquals(Stage.TRANSLATION, changes.get(0).to());
        assertEquals(Stage.TRANSLATION, changes.get(1).from());
        assertEquals(Stage.TRANSITION, changes.get(1).to());
        assertEquals(Stage.STABILIZATION, changes.get(2).to());
        // the third consecutive qualifying observation advances: steps 700 (500, 600, 700) and 1200 (1000..1200)
        assertEquals(List.of(100L, 700L, 1200L), steps);
        assertTrue(changes.get(1).reason().contains("transfer ratio"), changes.get(1).reason());
        assertTrue(changes.get(2).reason().contains("3 consecutive"), changes.get(2).reason());
        assertEquals(Stage.STABILIZATION, state.stage());
    }

    @Test
    void noiseAroundAThresholdDoesNotAdvanceOrFlap() {
        StageState state = detector.observe(StageState.INITIAL, new StageObservation(0, 1, 0, -1, 0)).state();
        // transfer ratio jitters around 0.5: never 3 in a row below it
        double[] ratios = {0.45, 0.55, 0.48, 0.49, 0.52, 0.4, 0.3, 0.6, 0.45, 0.51};
        for (int i = 0; i < ratios.length; i++) {
            StageDetector.Outcome outcome = detector.observe(state, new StageObservation(100 * (i + 1), ratios[i], 0.6, -1, 0.5));
            assertNull(outcome.change(), "advanced on noise at observation " + i);
            state = outcome.state();
        }
        assertEquals(Stage.TRANSLATION, state.stage());
    }

    @Test
    void stagesNeverGoBack() {
        StageThresholds once = new StageThresholds(0.5, 0.35, 0.7, 0.5, 0.02, 1);
        StageDetector quick = new StageDetector(once);
        StageState state = quick.observe(StageState.INITIAL, new StageObservation(0, 1, 0, -1, 0)).state();
        state = quick.observe(state, new StageObservation(1, 0.1, 0.9, -1, 0.2)).state();
        assertEquals(Stage.TRANSITION, state.stage());
        StageDetector.Outcome back = quick.observe(state, new StageObservation(2, 1.0, 0.0, -1, 0.0));
        assertNull(back.change());
        assertEquals(Stage.TRANSITION, back.state().stage());
    }

    @Test
    void unknownSignalsBlockTheConditionsThatNeedThem() {
        StageDetector quick = new StageDetector(new StageThresholds(0.5, 0.35, 0.7, 0.5, 0.02, 1));
        StageState state = quick.observe(StageState.INITIAL, new StageObservation(0, 1, Double.NaN, Double.NaN, Double.NaN)).state();
        StageDetector.Outcome outcome = quick.observe(state, new StageObservation(1, 0.1, Double.NaN, -1, 0.9));
        assertNull(outcome.change());
        assertEquals(Stage.TRANSLATION, outcome.state().stage());
    }
}
