package io.babelflow.producers.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MixtureValidatorTest {
    private static final Set<String> LANGS = Set.of("python", "go");

    private static MixtureUpdate update(long version, Map<String, Double> weights) {
        return MixtureUpdate.newBuilder().setRunId("r").setVersion(version).setWeights(weights).setPolicy("test")
                .setReason("").setBasedOnStep(0).setCreatedAt(Instant.EPOCH).build();
    }

    private static Optional<String> check(long version, Map<String, Double> weights) {
        return MixtureValidator.problem(update(version, weights), LANGS, 2);
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
}
