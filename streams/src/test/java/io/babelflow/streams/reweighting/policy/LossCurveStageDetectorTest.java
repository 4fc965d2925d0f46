package io.babelflow.streams.reweighting.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.Stage;
import io.babelflow.streams.reweighting.StageChangeSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossCurveStageDetectorTest {

    @Test
    void systemProportionIsClampedAndZeroBeforeAnyDrop() {
        SystemProportion p = new SystemProportion(0.0);
        assertTrue(p.proportion().isEmpty());
        p.observe(4.0);
        assertEquals(0.0, p.proportion().getAsDouble());
        p.observe(2.0);
        assertEquals(1.0, p.proportion().getAsDouble());
        p.observe(3.0); // (4 − 3) / (4 − 2)
        assertEquals(0.5, p.proportion().getAsDouble(), 1e-12);
        p.observe(5.0); // above the initial loss
        assertEquals(0.0, p.proportion().getAsDouble());
    }

    @Test
    void smoothingStartsAtTheFirstValue() {
        SystemProportion p = new SystemProportion(0.5);
        p.observe(4.0);
        p.observe(2.0); // ℓ̄ = 3.0 = β
        p.observe(4.0); // ℓ̄ = 3.5 → P = 0.5 / 1.0
        assertEquals(0.5, p.proportion().getAsDouble(), 1e-12);
        assertEquals(3.0, p.state().lowest(), 1e-12);
    }

    @Test
    void lossRisingFromItsLowIsTransitionAndRecoveryIsStabilization() {
        LossCurveStageDetector d = new LossCurveStageDetector(List.of("go"), 0.0,
                new LossCurveStageDetector.Thresholds(0.9, 0.98, 2, 0.05));
        double[] curve = {4.0, 3.0, 2.0, 2.1, 2.4, 2.5, 2.2, 2.0, 1.9};
        List<StageChangeSignal> changes = new ArrayList<>();
        for (int s = 0; s < curve.length; s++) {
            changes.addAll(d.observe(s, Map.of("go", curve[s])));
        }
        // P: 2.1 → 0.95 (above 0.9), 2.4 → 0.8, 2.5 → 0.75: second observation below 0.9 at step 5
        assertEquals(2, changes.size());
        assertEquals(Stage.TRANSITION, changes.get(0).to());
        assertEquals(5, changes.get(0).step());
        assertEquals(0.75, changes.get(0).signals().get("systemProportion"), 1e-12);
        // back at the low (P = 1) at steps 7 and 8
        assertEquals(Stage.STABILIZATION, changes.get(1).to());
        assertEquals(Stage.TRANSITION, changes.get(1).from());
        assertEquals(8, changes.get(1).step());
    }

    @Test
    void noisyStartWithoutRealProgressIsNotATransition() {
        LossCurveStageDetector d = new LossCurveStageDetector(List.of("go"), 0.0,
                new LossCurveStageDetector.Thresholds(0.9, 0.98, 1, 0.05));
        // the loss wobbles by 1% of its value: never the 5% drop needed before a rise counts
        double[] curve = {4.0, 3.98, 3.96, 3.99, 3.97, 4.0};
        for (int s = 0; s < curve.length; s++) {
            assertTrue(d.observe(s, Map.of("go", curve[s])).isEmpty());
        }
        assertEquals(Stage.TRANSLATION, d.stage("go"));
    }

    @Test
    void withWeightsInForceKnownAlphaIsTheLossAtTheIntroduction() {
        LossCurveStageDetector d = new LossCurveStageDetector(List.of("go"), 0.0,
                new LossCurveStageDetector.Thresholds(0.9, 0.98, 1, 0.05));
        d.weightsInForce(Map.of("python", 1.0, "go", 0.0));
        // a held-out curve of go while it is not trained on: drifting down from ln 256 with python's progress
        for (int s = 0; s < 3; s++) {
            assertTrue(d.observe(s, Map.of("go", 5.5 - 0.5 * s)).isEmpty());
        }
        d.weightsInForce(Map.of("python", 0.5, "go", 0.5));
        // joined: 3.0, 2.0, then 2.5 is P = (3 − 2.5)/(3 − 2) = 0.5 — with α at 5.5 it would be 0.86
        assertTrue(d.observe(3, Map.of("go", 3.0)).isEmpty());
        assertTrue(d.observe(4, Map.of("go", 2.0)).isEmpty());
        List<StageChangeSignal> changes = d.observe(5, Map.of("go", 2.5));
        assertEquals(1, changes.size());
        assertEquals(3.0, changes.get(0).signals().get("initialLoss"), 1e-12);
        assertEquals(0.5, changes.get(0).signals().get("systemProportion"), 1e-12);
    }
}
