package io.babelflow.schemas.mixture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MixtureWeightsTest {
    private static final Set<String> LANGS = Set.of("python", "go");

    private static MixtureUpdate update(long version, Map<String, Double> weights) {
        return MixtureUpdate.newBuilder().setRunId("r").setVersion(version).setWeights(weights).setPolicy("test")
                .setReason("").setBasedOnStep(0).setCreatedAt(Instant.EPOCH).build();
    }

    private static Optional<String> check(long version, Map<String, Double> weights) {
        return MixtureWeights.problem(update(version, weights), LANGS, 2);
    }

    @Test
    void acceptsNewerFiniteNonNegativeWeightsOfTheRunsLanguages() {
        assertEquals(Optional.empty(), check(3, Map.of("python", 0.7, "go", 0.3)));
        assertEquals(Optional.empty(), check(9, Map.of("python", 0.0, "go", 5.0)), "unnormalised is fine");
    }

    @Test
    void rejectsWithAReasonNamingTheProblem() {
        assertTrue(check(2, Map.of("python", 1.0)).orElseThrow().contains("not newer"));
        assertTrue(check(1, Map.of("python", 1.0)).orElseThrow().contains("not newer"));
        assertTrue(check(3, Map.of("python", Double.NaN)).orElseThrow().contains("NaN"));
        assertTrue(check(3, Map.of("python", Double.POSITIVE_INFINITY)).orElseThrow().contains("finite"));
        assertTrue(check(3, Map.of("python", -0.1, "go", 1.0)).orElseThrow().contains("negative"));
        assertTrue(check(3, Map.of("python", 0.0, "go", 0.0)).orElseThrow().contains("sum to 0.0"));
        assertTrue(check(3, Map.of("rust", 1.0)).orElseThrow().contains("'rust'"));
        assertTrue(check(3, Map.of()).orElseThrow().contains("no weights"));
        Map<String, Double> withNull = new HashMap<>();
        withNull.put("go", null);
        assertTrue(check(3, withNull).orElseThrow().contains("finite"));
    }

    @Test
    void hugeWeightsNormaliseWithoutOverflow() {
        Map<String, Double> huge = Map.of("python", 1e308, "go", 1e308);
        assertEquals(Optional.empty(), check(3, huge));
        double[] w = MixtureWeights.normalise(huge, List.of("python", "go", "cpp"));
        assertArrayEquals(new double[] {0.5, 0.5, 0.0}, w);
        assertArrayEquals(new double[] {1.0}, MixtureWeights.normalise(Map.of("go", Double.MIN_VALUE), List.of("go")));
    }

    @Test
    void aVersionMayJumpAtMostTheBoundPastTheLatest() {
        assertEquals(Optional.empty(), check(2 + MixtureWeights.MAX_VERSION_JUMP, Map.of("go", 1.0)));
        assertTrue(check(3 + MixtureWeights.MAX_VERSION_JUMP, Map.of("go", 1.0)).orElseThrow().contains("jumps more than"));
        assertTrue(check(Long.MAX_VALUE, Map.of("go", 1.0)).orElseThrow().contains("jumps more than"));
    }
}
