package io.babelflow.streams.reweighting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.InvalidInputException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GuardrailsTest {
    private static final double EPS = 1e-12;
    private static final List<String> LANGS = List.of("en", "zh", "de");

    private static Map<String, Double> w(double en, double zh, double de) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("en", en);
        m.put("zh", zh);
        m.put("de", de);
        return m;
    }

    private static void assertWeights(Map<String, Double> expected, Map<String, Double> actual) {
        expected.forEach((l, v) -> assertEquals(v, actual.get(l), EPS, l));
    }

    @Test
    void sanitizeDropsAndCountsNonFiniteNegativeAndUnknownValues() {
        Guardrails g = Guardrails.none(LANGS);
        Map<String, Double> loss = new HashMap<>();
        loss.put("en", Double.NaN);
        loss.put("zh", Double.POSITIVE_INFINITY);
        loss.put("de", -1.0);
        loss.put("fr", 2.0);
        Map<String, Double> weights = new HashMap<>(Map.of("en", 0.5, "zh", 0.5));
        weights.put("de", Double.NEGATIVE_INFINITY);
        StepSignal clean = g.sanitize(new StepSignal(7, -5, loss, Map.of("en", -3L, "zh", 10L), 2, weights));

        assertTrue(clean.languageLoss().isEmpty());
        assertEquals(Map.of("zh", 10L), clean.languageTokens());
        assertEquals(Map.of("en", 0.5, "zh", 0.5), clean.weightsInForce());
        assertEquals(0, clean.tokens());
        GuardrailCounters c = g.counters();
        assertEquals(3, c.nonFiniteValues()); // NaN, +Inf loss, −Inf weight
        assertEquals(3, c.negativeValues()); // loss, tokens of en, step tokens
        assertEquals(1, c.unknownLanguages()); // fr
    }

    @Test
    void allZeroOrNonFiniteTargetIsRejected() {
        Guardrails g = Guardrails.none(LANGS);
        assertTrue(g.limit(w(0.4, 0.3, 0.3), w(0, 0, 0)).isEmpty());
        assertTrue(g.limit(w(0.4, 0.3, 0.3), w(Double.NaN, -1, 0)).isEmpty());
        assertEquals(2, g.counters().rejectedTargets());
        assertEquals(1, g.counters().nonFiniteValues());
        assertEquals(1, g.counters().negativeValues());
    }

    @Test
    void nonFiniteEntriesOfATargetCountAsZero() {
        Guardrails g = Guardrails.none(LANGS);
        Guardrails.Limited l = g.limit(w(0.4, 0.3, 0.3), w(Double.POSITIVE_INFINITY, 1, 3)).orElseThrow();
        assertWeights(w(0, 0.25, 0.75), l.weights());
    }

    @Test
    void infeasibleFloorsAndCeilingsAreInvalidInput() {
        assertThrows(InvalidInputException.class,
                () -> new Guardrails(LANGS, Map.of("en", 0.5, "zh", 0.4, "de", 0.2), Map.of(), 1, 0, 0));
        assertThrows(InvalidInputException.class,
                () -> new Guardrails(LANGS, Map.of(), Map.of("en", 0.3, "zh", 0.3, "de", 0.3), 1, 0, 0));
        assertThrows(InvalidInputException.class,
                () -> new Guardrails(LANGS, Map.of("en", 0.5), Map.of("en", 0.4), 1, 0, 0));
        assertThrows(InvalidInputException.class, () -> new Guardrails(LANGS, Map.of(), Map.of(), 0, 0, 0));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Guardrails.fromParams(new PolicyParams("exp3", Map.of("floor", "0.4"), LANGS)));
        assertTrue(e.getMessage().contains("floors sum to 1.2"), e.getMessage());
    }

    @Test
    void floorsAndCeilingsHoldAfterNormalising() {
        Guardrails g = new Guardrails(LANGS, Map.of("en", 0.1, "zh", 0.1, "de", 0.1),
                Map.of("en", 0.7), 1, 0, 0);
        // projection: en capped at 0.7, zh and de shifted equally: 0.05 + τ with 0.7 + 2(0.05 + τ) = 1 → τ = 0.1
        Guardrails.Limited l = g.limit(w(1.0 / 3, 1.0 / 3, 1.0 / 3), w(0.9, 0.05, 0.05)).orElseThrow();
        assertWeights(w(0.7, 0.15, 0.15), l.weights());
        assertTrue(l.reachedTarget());
        assertTrue(l.note().contains("en 0.900→0.700"), l.note());
        assertEquals(1, g.counters().limitedUpdates());
    }

    @Test
    void maxChangeClampsEachStepAndTheTargetIsReachedInSteps() {
        Guardrails g = new Guardrails(LANGS, Map.of(), Map.of(), 0.1, 0, 0);
        Map<String, Double> current = w(0.5, 0.3, 0.2);
        Map<String, Double> target = w(0.9, 0.1, 0.0);
        // each step en rises by the full 0.1 and zh, de take the same shift τ within their own ±0.1 box:
        // 0.6 + (0.1 + τ) + τ = 1 → τ = 0.15, then τ = 0.1, 0.05, 0
        double[][] expected = {{0.6, 0.25, 0.15}, {0.7, 0.2, 0.1}, {0.8, 0.15, 0.05}, {0.9, 0.1, 0.0}};
        for (int i = 0; i < expected.length; i++) {
            Guardrails.Limited l = g.limit(current, target).orElseThrow();
            for (String lang : LANGS) {
                assertTrue(Math.abs(l.weights().get(lang) - current.get(lang)) <= 0.1 + EPS, "max change " + lang);
            }
            assertWeights(w(expected[i][0], expected[i][1], expected[i][2]), l.weights());
            assertEquals(i == expected.length - 1, l.reachedTarget(), "step " + i);
            current = l.weights();
        }
    }

    @Test
    void floorsWinOverMaxChangeWhenTheCurrentMixtureViolatesThem() {
        Guardrails g = new Guardrails(LANGS, Map.of("de", 0.3), Map.of(), 0.05, 0, 0);
        Guardrails.Limited l = g.limit(w(0.5, 0.5, 0.0), w(0.5, 0.5, 0.0)).orElseThrow();
        assertEquals(0.3, l.weights().get("de"), EPS);
        assertEquals(1.0, Weights.sum(l.weights()), EPS);
    }

    @Test
    void minimumIntervalInStepsAndWallTime() {
        Guardrails g = new Guardrails(LANGS, Map.of(), Map.of(), 1, 100, 60_000);
        assertTrue(g.due(0, 0));
        g.recordUpdate(100, 1_000);
        assertFalse(g.due(150, 120_000)); // too few steps
        assertFalse(g.due(200, 60_999)); // too little time
        assertTrue(g.due(200, 61_000));
    }

    @Test
    void projectionIsExactOnRandomProblems() {
        Random random = new Random(42);
        for (int trial = 0; trial < 500; trial++) {
            int k = 2 + random.nextInt(6);
            double[] t = new double[k];
            double[] lo = new double[k];
            double[] hi = new double[k];
            double loSum = 0;
            for (int i = 0; i < k; i++) {
                t[i] = random.nextDouble();
                lo[i] = random.nextDouble() * 0.8 / k;
                hi[i] = Math.max(lo[i], lo[i] + random.nextDouble());
                loSum += lo[i];
            }
            double hiSum = 0;
            for (double h : hi) {
                hiSum += h;
            }
            if (hiSum < 1 || loSum > 1) {
                continue;
            }
            double[] w = SimplexProjection.project(t, lo, hi);
            double sum = 0;
            for (int i = 0; i < k; i++) {
                assertTrue(w[i] >= lo[i] - EPS && w[i] <= hi[i] + EPS);
                sum += w[i];
            }
            assertEquals(1.0, sum, 1e-9);
            // optimality: all coordinates strictly inside their box share one shift τ = w_i − t_i
            Double tau = null;
            for (int i = 0; i < k; i++) {
                if (w[i] > lo[i] + 1e-9 && w[i] < hi[i] - 1e-9) {
                    if (tau == null) {
                        tau = w[i] - t[i];
                    }
                    assertEquals(tau, w[i] - t[i], 1e-9);
                }
            }
        }
    }
}
