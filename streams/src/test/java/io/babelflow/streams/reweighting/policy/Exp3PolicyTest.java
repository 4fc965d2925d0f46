package io.babelflow.streams.reweighting.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.StepSignal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Exp3PolicyTest {
    private static final double EPS = 1e-12;

    private static Map<String, Double> initial() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("en", 0.7);
        w.put("zh", 0.3);
        return w;
    }

    /**
     * K = 2, rewardScale 0.1, π_0 = (0.7, 0.3):
     * <pre>
     * t=1: ε_0 = 1/2, ε_1 = min(1/2, √(ln2/2) = 0.589) = 0.5
     *      R̂ = (0.1·3.0/0.7, 0.1·5.0/0.3) = (0.428571, 1.666667)
     *      π = (1 − 2·0.5)·softmax(0.5·R̂) + 0.5 = (0.5, 0.5)
     * t=2: ε_2 = √(ln2/4) = 0.41627730557884884
     *      R̂ = (0.428571 + 0.2/0.5, 1.666667 + 0.4/0.5) = (0.828571, 2.466667)
     *      softmax(0.5·R̂) = (e^0.414286, e^1.233333)/Σ = (0.305967, 0.694033)
     *      π = 0.167445·softmax + 0.416277 = (0.467510, 0.532490)
     * t=3: only zh in the batch, no weights in force → π_2 is the sampling probability
     *      ε_3 = √(ln2/6) = 0.3398889967229363
     *      R̂_zh = 2.466667 + 0.35/0.532490 = 3.123956
     *      π = (1 − 2ε_3)·softmax(ε_2·R̂) + ε_3 = (0.428839, 0.571161)
     * </pre>
     */
    @Test
    void probabilitiesMatchHandComputation() {
        Exp3Policy p = new Exp3Policy(initial(), 0.1, 0, 1);

        Decision d1 = p.onStep(step(0, Map.of("en", 3.0, "zh", 5.0), Map.of("en", 0.7, "zh", 0.3))).orElseThrow();
        assertEquals(0.5, d1.weights().get("en"), EPS);
        assertEquals(0.5, d1.weights().get("zh"), EPS);

        Decision d2 = p.onStep(step(1, Map.of("en", 2.0, "zh", 4.0), Map.of("en", 0.5, "zh", 0.5))).orElseThrow();
        assertEquals(0.4675098782006151, d2.weights().get("en"), EPS);
        assertEquals(0.5324901217993849, d2.weights().get("zh"), EPS);
        assertTrue(d2.reason().contains("ε=0.4163"), d2.reason());

        Decision d3 = p.onStep(step(2, Map.of("zh", 3.5), Map.of())).orElseThrow();
        assertEquals(0.428839232933381, d3.weights().get("en"), EPS);
        assertEquals(0.571160767066619, d3.weights().get("zh"), EPS);
        assertEquals(2, d3.basedOnStep());
    }

    @Test
    void importanceWeightUsesTheMixtureInForceNotThePolicysOwn() {
        Exp3Policy inForce = new Exp3Policy(initial(), 0.1, 0, 1);
        Exp3Policy own = new Exp3Policy(initial(), 0.1, 0, 1);
        for (Exp3Policy p : new Exp3Policy[] {inForce, own}) {
            p.onStep(step(0, Map.of("en", 3.0, "zh", 5.0), Map.of()));
        }
        // the trainer still samples with the initial 0.7/0.3 (e.g. the update is not applied yet)
        Decision a = inForce.onStep(step(1, Map.of("en", 2.0, "zh", 4.0), Map.of("en", 7.0, "zh", 3.0))).orElseThrow();
        Decision b = own.onStep(step(1, Map.of("en", 2.0, "zh", 4.0), Map.of())).orElseThrow();
        assertFalse(Math.abs(a.weights().get("en") - b.weights().get("en")) < 1e-6);
    }

    @Test
    void warmupAndCadenceOnlyDelayProposalsNotLearning() {
        Exp3Policy gated = new Exp3Policy(initial(), 0.1, 2, 2);
        Exp3Policy eager = new Exp3Policy(initial(), 0.1, 0, 1);
        Map<String, Double> loss = Map.of("en", 3.0, "zh", 5.0);
        assertFalse(gated.onStep(step(0, loss, Map.of("en", 0.7, "zh", 0.3))).isPresent());
        assertFalse(gated.onStep(step(1, loss, Map.of("en", 0.7, "zh", 0.3))).isPresent());
        eager.onStep(step(0, loss, Map.of("en", 0.7, "zh", 0.3)));
        eager.onStep(step(1, loss, Map.of("en", 0.7, "zh", 0.3)));
        Decision g = gated.onStep(step(2, loss, Map.of("en", 0.7, "zh", 0.3))).orElseThrow();
        Decision e = eager.onStep(step(2, loss, Map.of("en", 0.7, "zh", 0.3))).orElseThrow();
        assertEquals(e.weights(), g.weights());
        assertFalse(gated.onStep(step(3, loss, Map.of("en", 0.7, "zh", 0.3))).isPresent());
        assertTrue(gated.onStep(step(4, loss, Map.of("en", 0.7, "zh", 0.3))).isPresent());
    }

    @Test
    void aStepWithoutPerLanguageLossTeachesNothing() {
        Exp3Policy p = new Exp3Policy(initial(), 0.1, 0, 1);
        assertFalse(p.onStep(step(0, Map.of(), Map.of())).isPresent());
        Decision d = p.onStep(step(1, Map.of("en", 3.0, "zh", 5.0), Map.of())).orElseThrow();
        assertTrue(d.reason().contains("t=1 "), d.reason());
    }

    @Test
    void hugeLossesDoNotOverflow() {
        Exp3Policy p = new Exp3Policy(initial(), 1.0, 0, 1);
        Decision d = null;
        for (int s = 0; s < 5000; s++) {
            d = p.onStep(step(s, Map.of("en", 1e6, "zh", 1.0), Map.of())).orElseThrow();
        }
        assertTrue(Double.isFinite(d.weights().get("en")) && Double.isFinite(d.weights().get("zh")));
        assertEquals(1.0, d.weights().get("en") + d.weights().get("zh"), EPS);
        assertTrue(d.weights().get("en") > d.weights().get("zh"));
    }

    private static StepSignal step(long step, Map<String, Double> loss, Map<String, Double> inForce) {
        return new StepSignal(step, 1000, loss, Map.of(), 0, inForce);
    }
}
