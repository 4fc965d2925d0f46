package io.babelflow.producers.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.schemas.mixture.MixtureWeights;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The mixture-weights rule as written once, in {@code schemas/src/test/resources/mixture-update-rules.json};
 * the Python client's tests read the same file, so both validators agree case by case.
 */
class MixtureRulesSpecTest {
    static final Path RULES = Path.of("..", "schemas", "src", "test", "resources", "mixture-update-rules.json");

    @Test
    void validatorFollowsTheWrittenRules() throws Exception {
        JsonNode spec = new ObjectMapper().readTree(RULES.toFile());
        Set<String> languages = new HashSet<>();
        spec.get("languages").forEach(l -> languages.add(l.asText()));
        long current = spec.get("currentVersion").asLong();
        int cases = 0;
        for (JsonNode c : spec.get("cases")) {
            Map<String, Double> weights = new HashMap<>();
            c.get("weights").fields().forEachRemaining(e -> weights.put(e.getKey(), number(e.getValue())));
            MixtureUpdate update = MixtureUpdate.newBuilder().setRunId("r").setVersion(c.get("version").asLong())
                    .setWeights(weights).setPolicy("spec").setReason("").setBasedOnStep(0).setCreatedAt(Instant.EPOCH)
                    .build();
            Optional<String> problem = MixtureWeights.problem(update, languages, current);
            String name = c.get("name").asText();
            assertEquals(c.get("valid").asBoolean(), problem.isEmpty(), name + ": " + problem.orElse("valid"));
            if (c.has("reason")) {
                assertTrue(problem.orElseThrow().contains(c.get("reason").asText()), name + ": " + problem.get());
            }
            cases++;
        }
        assertTrue(cases >= 15, "the spec's cases were read");
    }

    private static Double number(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        return value.isTextual() ? Double.valueOf(value.asText()) : value.asDouble();
    }
}
