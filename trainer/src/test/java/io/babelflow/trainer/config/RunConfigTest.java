package io.babelflow.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.model.FfnActivation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunConfigTest {
    @Test
    void theShippedConfigsAreValid() {
        RunConfig tiny = RunConfig.load(Path.of("configs/tiny.yaml"));
        assertEquals(FfnActivation.GELU, tiny.model().activation());
        assertNull(tiny.feedback());

        RunConfig tower = RunConfig.load(Path.of("configs/babel-tower.yaml"));
        assertEquals("python", tower.primaryLanguage());
        assertEquals(List.of("go", "cpp"), tower.languagesWithRole(LanguageRole.NEW));
        assertEquals(Map.of("python", 1.0, "go", 0.0, "cpp", 0.0), tower.initialWeights());
        assertEquals(2000, tower.mixture().phases().get(0).fromStep());
        assertEquals("babel-tower", tower.feedback().policy());
        assertEquals(4, tower.model().layers());
        assertEquals(128, tower.model().dModel());

        RunConfig chat = RunConfig.load(Path.of("configs/chatflow.yaml"));
        assertEquals(List.of("en", "zh", "en-zh", "instruct"), chat.languageIds(), "the zh-en preset's ids");
        assertEquals(List.of("en-zh"), chat.languagesWithRole(LanguageRole.PARALLEL));
        assertEquals(List.of("instruct"), chat.languagesWithRole(LanguageRole.INSTRUCTION));
        assertEquals("schedule", chat.feedback().policy(), "ChatFlow's gradual sampler");
        assertEquals("cosine", chat.feedback().params().get("curve"));
    }

    @Test
    void theResolvedYamlReadsBackEqual() throws Exception {
        RunConfig tower = RunConfig.load(Path.of("configs/babel-tower.yaml")).withSteps(99).withSeed(3);
        RunConfig back = RunConfig.parse(tower.toYaml(), "resolved");
        assertEquals(tower, back);
        assertEquals(99, back.run().steps());
    }

    @Test
    void missingAndUnknownKeysAreNamed() throws Exception {
        String yaml = Files.readString(Path.of("configs/tiny.yaml"));
        var missing = assertThrows(InvalidInputException.class,
                () -> RunConfig.parse(yaml.replace("  warmupSteps: 10\n", ""), "t.yaml"));
        assertTrue(missing.getMessage().contains("warmupSteps"), missing.getMessage());
        var unknown = assertThrows(InvalidInputException.class,
                () -> RunConfig.parse(yaml.replace("  heads: 4\n", "  heads: 4\n  dropout: 0.1\n"), "t.yaml"));
        assertTrue(unknown.getMessage().contains("unknown key 'model.dropout'"), unknown.getMessage());
        var shape = assertThrows(InvalidInputException.class,
                () -> RunConfig.parse(yaml.replace("heads: 4", "heads: 5"), "t.yaml"));
        assertTrue(shape.getMessage().contains("divisible"), shape.getMessage());
        var roles = assertThrows(InvalidInputException.class,
                () -> RunConfig.parse(yaml.replace("role: NEW", "role: PRIMARY"), "t.yaml"));
        assertTrue(roles.getMessage().contains("exactly one"), roles.getMessage());
    }
}
