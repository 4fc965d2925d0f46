package io.babelflow.streams.reweighting.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.EvalSignal;
import io.babelflow.streams.reweighting.StepSignal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExcessLossPolicyTest {
    private static final double EPS = 1e-12;
    private static final ReferenceLosses REF = ReferenceLosses.constant(Map.of("en", 2.0, "zh", 3.0, "de", 2.5));

    private static Map<String, Double> initial() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("en", 0.5);
        w.put("zh", 0.3);
        w.put("de", 0.2);
        return w;
    }

    /**
     * η = 1, c = 0.1, k = 3. Update 1: λ = (0.5, 0, 0) (zh below its reference, de absent);
     * α' = (0.5·e^0.5, 0.3, 0.2); α = 0.9·α'/Σα' + 0.1/3 = (0.593547, 0.237205, 0.169248).
     * Update 2: λ = (0.2, 0.4, 0); α' = α ⊙ e^λ; α = 0.9·α'/Σα' + 1/30 = (0.556109, 0.288512, 0.155380).
     */
    @Test
    void updateFollowsTheFormula() {
        ExcessLossPolicy p = new ExcessLossPolicy(initial(), REF, LossSource.TRAIN, 1.0, 0.1, 1,
                ExcessLossPolicy.Output.CURRENT);
        Decision d1 = p.onStep(step(0, Map.of("en", 2.5, "zh", 2.8))).orElseThrow();
        assertEquals(0.5935467314150025, d1.weights().get("en"), EPS);
        assertEquals(0.23720529448433186, d1.weights().get("zh"), EPS);
        assertEquals(0.1692479741006657, d1.weights().get("de"), EPS);
        Decision d2 = p.onStep(step(1, Map.of("en", 2.2, "zh", 3.4, "de", 2.5))).orElseThrow();
        assertEquals(0.556108784159462, d2.weights().get("en"), EPS);
        assertEquals(0.288511517234115, d2.weights().get("zh"), EPS);
        assertEquals(0.15537969860642312, d2.weights().get("de"), EPS);
        assertTrue(d2.reason().contains("zh ℓ=3.4000 ref=3.0000 λ=0.4000"), d2.reason());
    }

    @Test
    void averageOutputIsTheMeanOfAllAlphas() {
        ExcessLossPolicy p = new ExcessLossPolicy(initial(), REF, LossSource.TRAIN, 1.0, 0.1, 1,
                ExcessLossPolicy.Output.AVERAGE);
        p.onStep(step(0, Map.of("en", 2.5, "zh", 2.8)));
        Decision d = p.onStep(step(1, Map.of("en", 2.2, "zh", 3.4, "de", 2.5))).orElseThrow();
        assertEquals(0.5748277577872323, d.weights().get("en"), EPS);
        assertEquals(0.26285840585922343, d.weights().get("zh"), EPS);
        assertEquals(0.1623138363535444, d.weights().get("de"), EPS);
    }

    @Test
    void heldoutSourceIgnoresTrainingSteps() {
        ExcessLossPolicy p = new ExcessLossPolicy(initial(), REF, LossSource.HELDOUT, 1.0, 0.1, 1,
                ExcessLossPolicy.Output.CURRENT);
        assertFalse(p.onStep(step(0, Map.of("en", 2.5))).isPresent());
        Decision d = p.onEval(new EvalSignal(10, Map.of("en", 2.5, "zh", 2.8))).orElseThrow();
        assertEquals(0.5935467314150025, d.weights().get("en"), EPS);
    }

    @Test
    void recordedReferenceIsLookedUpAtTheLatestStepAtOrBefore() {
        Map<String, Map<Long, Double>> curves = new LinkedHashMap<>();
        curves.put("en", new TreeMap<>(Map.of(0L, 3.0, 100L, 2.0)));
        curves.put("zh", new TreeMap<>(Map.of(0L, 4.0)));
        curves.put("de", new TreeMap<>(Map.of(50L, 2.5)));
        ReferenceLosses ref = ReferenceLosses.curves(curves, "run ref");
        assertEquals(3.0, ref.at("en", 99).getAsDouble());
        assertEquals(2.0, ref.at("en", 100).getAsDouble());
        assertTrue(ref.at("de", 49).isEmpty());

        ExcessLossPolicy p = new ExcessLossPolicy(initial(), ref, LossSource.TRAIN, 1.0, 0.1, 1,
                ExcessLossPolicy.Output.CURRENT);
        // step 100: en 2.5 vs 2.0 and zh 3.8 vs 4.0 → the same λ as update 1 of updateFollowsTheFormula
        Decision d = p.onStep(step(100, Map.of("en", 2.5, "zh", 3.8))).orElseThrow();
        assertEquals(0.5935467314150025, d.weights().get("en"), EPS);
    }

    private static StepSignal step(long step, Map<String, Double> loss) {
        return new StepSignal(step, 1000, loss, Map.of(), 0, Map.of());
    }
}
