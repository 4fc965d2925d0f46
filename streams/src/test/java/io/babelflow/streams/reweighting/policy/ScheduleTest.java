package io.babelflow.streams.reweighting.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.PolicyParams;
import io.babelflow.streams.reweighting.StepSignal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final double EPS = 1e-12;
    private static final List<String> LANGS = List.of("en", "zh", "en-zh");
    private static final PolicyParams PARAMS = new PolicyParams("schedule", Map.of(), LANGS);

    private static MixtureSchedule schedule(String spec, MixtureSchedule.Curve curve) {
        return ScheduleSyntax.parse(PARAMS, "phases", spec, curve);
    }

    private static void assertWeights(Map<String, Double> expected, Map<String, Double> actual) {
        expected.forEach((l, w) -> assertEquals(w, actual.get(l), EPS, l));
        assertEquals(1.0, actual.values().stream().mapToDouble(Double::doubleValue).sum(), EPS);
    }

    @Test
    void linearEndpointsAndMidpoint() {
        MixtureSchedule s = schedule("0:en=0.9,zh=0.1;1000:en=0.5,zh=0.5", MixtureSchedule.Curve.LINEAR);
        assertWeights(Map.of("en", 0.9, "zh", 0.1, "en-zh", 0.0), s.at(0));
        assertWeights(Map.of("en", 0.7, "zh", 0.3, "en-zh", 0.0), s.at(500));
        assertWeights(Map.of("en", 0.8, "zh", 0.2), s.at(250));
        assertWeights(Map.of("en", 0.5, "zh", 0.5, "en-zh", 0.0), s.at(1000));
        assertWeights(Map.of("en", 0.5, "zh", 0.5), s.at(5000));
    }

    @Test
    void cosineMidpointEqualsLinearButQuarterPointEasesIn() {
        MixtureSchedule s = schedule("0:en=1;100:zh=1", MixtureSchedule.Curve.COSINE);
        assertWeights(Map.of("en", 0.5, "zh", 0.5), s.at(50));
        // u = 0.25: f = (1 − cos(π/4)) / 2 = 0.14644660940672624
        assertWeights(Map.of("en", 1 - 0.14644660940672624, "zh", 0.14644660940672624), s.at(25));
        assertWeights(Map.of("en", 1.0, "zh", 0.0), s.at(0));
        assertWeights(Map.of("en", 0.0, "zh", 1.0), s.at(100));
    }

    @Test
    void multiPhaseInterpolatesBetweenConsecutivePointsAndNormalisesEachPoint() {
        // the middle point is given unnormalised (sum 2): it means en=0.5, zh=0.3, en-zh=0.2
        MixtureSchedule s = schedule("0:en=0.9,zh=0.1; 2000:en=1,zh=0.6,en-zh=0.4; 3000:en=0.2,zh=0.2,en-zh=0.6",
                MixtureSchedule.Curve.LINEAR);
        assertWeights(Map.of("en", 0.7, "zh", 0.2, "en-zh", 0.1), s.at(1000));
        assertWeights(Map.of("en", 0.5, "zh", 0.3, "en-zh", 0.2), s.at(2000));
        assertWeights(Map.of("en", 0.35, "zh", 0.25, "en-zh", 0.4), s.at(2500));
        assertWeights(Map.of("en", 0.2, "zh", 0.2, "en-zh", 0.6), s.at(3000));
    }

    @Test
    void positionsTakeUnitSuffixes() {
        MixtureSchedule s = schedule("0:en=1;2.5M:zh=1", MixtureSchedule.Curve.LINEAR);
        assertEquals(2_500_000.0, s.points().get(1).at());
        assertWeights(Map.of("en", 0.5, "zh", 0.5), s.at(1_250_000));
    }

    @Test
    void tokensAxisCountsTokensOfAllStepsSeen() {
        SchedulePolicy policy = new SchedulePolicy(schedule("0:en=1;1k:zh=1", MixtureSchedule.Curve.LINEAR),
                SchedulePolicy.Axis.TOKENS, 1);
        policy.onStep(step(0, 100));
        policy.onStep(step(1, 150));
        Decision d = policy.onStep(step(2, 250)).orElseThrow(); // 500 tokens seen
        assertWeights(Map.of("en", 0.5, "zh", 0.5), d.weights());
        assertTrue(d.reason().contains("tokens 500"), d.reason());
        assertEquals(2, d.basedOnStep());
    }

    @Test
    void stepsAxisProposesEveryNSteps() {
        SchedulePolicy policy = new SchedulePolicy(schedule("0:en=1;100:zh=1", MixtureSchedule.Curve.LINEAR),
                SchedulePolicy.Axis.STEPS, 10);
        assertTrue(policy.onStep(step(0, 1)).isPresent());
        for (long s = 1; s < 10; s++) {
            assertFalse(policy.onStep(step(s, 1)).isPresent());
        }
        Optional<Decision> d = policy.onStep(step(10, 1));
        assertWeights(Map.of("en", 0.9, "zh", 0.1), d.orElseThrow().weights());
    }

    private static StepSignal step(long step, long tokens) {
        return new StepSignal(step, tokens, Map.of("en", 2.0), Map.of("en", tokens), 0, Map.of());
    }
}
