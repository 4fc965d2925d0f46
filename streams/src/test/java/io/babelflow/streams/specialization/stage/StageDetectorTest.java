package io.babelflow.streams.specialization.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.Stage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageDetectorTest {
    /** The neuron/share route's mechanics on thresholds of its own (the calibrated defaults: docs/signals.md). */
    private final StageDetector detector = new StageDetector(new StageThresholds(0.5, 0.35, 0.7, 0.5, 0.02, 3));

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

    private static LossTrajectory.Reading loss(LossTrajectory.Phase phase, long stalledFrom, long againFrom) {
        return new LossTrajectory.Reading(phase, 2000, 4.0, 2.0, 2.1, 0.95, 0.01, 2000, stalledFrom, againFrom);
    }

    @Test
    void theLossTrajectoryAdvancesAtOnceWhateverTheNeuronsSay() {
        StageState state = detector.observe(StageState.INITIAL, new StageObservation(2000, 0.9, 0.1, -1, 0.3,
                loss(LossTrajectory.Phase.FALLING, -1, -1))).state();
        // still falling: neither route (transfer 0.9 > 0.5) advances
        StageDetector.Outcome falling = detector.observe(state, new StageObservation(2100, 0.9, 0.1, -1, 0.3,
                loss(LossTrajectory.Phase.FALLING, -1, -1)));
        assertNull(falling.change());
        // the stall is already smoothed over its points: no streak of M = 3 windows is needed
        StageDetector.Outcome stalled = detector.observe(falling.state(), new StageObservation(2400, 0.9, 0.1, 0.1, 0.3,
                loss(LossTrajectory.Phase.STALLED, 2400, -1)));
        assertEquals(Stage.TRANSITION, stalled.change().to());
        assertTrue(stalled.change().reason().contains("stalled or rose from step 2400 (α=4.000 at its introduction, step 2000"),
                stalled.change().reason());
        StageDetector.Outcome stillStalled = detector.observe(stalled.state(), new StageObservation(2500, 0.9, 0.1, 0.1,
                0.3, loss(LossTrajectory.Phase.STALLED, 2400, -1)));
        assertNull(stillStalled.change());
        StageDetector.Outcome again = detector.observe(stillStalled.state(), new StageObservation(2800, 0.9, 0.1, -3,
                0.3, loss(LossTrajectory.Phase.FALLING_AGAIN, 2400, 2800)));
        assertEquals(Stage.STABILIZATION, again.change().to());
        assertTrue(again.change().reason().contains("falling again from step 2800"), again.change().reason());
    }

    @Test
    void aStallSeenBeforeTheWindowStillCountsAndTheNeuronRouteStaysOpen() {
        StageState state = detector.observe(StageState.INITIAL, new StageObservation(0, 0.9, 0.1, -1, 0.3)).state();
        // the loss stalled and fell again between two windows: Transition now, Stabilization at the next
        StageDetector.Outcome first = detector.observe(state, new StageObservation(100, 0.9, 0.1, -1, 0.3,
                loss(LossTrajectory.Phase.FALLING_AGAIN, 40, 90)));
        assertEquals(Stage.TRANSITION, first.change().to());
        assertEquals(Stage.STABILIZATION, detector.observe(first.state(), new StageObservation(200, 0.9, 0.1, -1, 0.3,
                loss(LossTrajectory.Phase.FALLING_AGAIN, 40, 90))).change().to());
        // a loss that never stalls leaves the neuron/share route: three qualifying windows
        StageState neurons = state;
        List<Stage> stages = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            StageDetector.Outcome o = detector.observe(neurons, new StageObservation(100L * i, 0.3, 0.6, -1, 0.3,
                    loss(LossTrajectory.Phase.FALLING, -1, -1)));
            neurons = o.state();
            stages.add(o.change() == null ? null : o.change().to());
        }
        assertEquals(java.util.Arrays.asList(null, null, Stage.TRANSITION), stages);
    }
}
