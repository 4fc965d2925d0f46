package io.babelflow.ops.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.reweighting.Policies;
import io.babelflow.trainer.config.RunConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo runs the shipped demo.yaml, with only the overrides its options ask for. */
class DemoConfigTest {
    private static final Path CONFIG = Path.of("..", Demo.CONFIG);

    private static Demo.Settings settings(Long steps, String policy) {
        return new Demo.Settings(CONFIG, Path.of("corpus"), Path.of("run"), steps, policy, null, null, 0);
    }

    @Test
    void withoutOptionsTheDemoIsTheShippedConfig() {
        assertEquals(RunConfig.load(CONFIG), Demo.config(settings(null, null)));
        assertEquals("schedule", Demo.config(settings(null, "schedule")).feedback().policy(), "the config's own policy");
        assertEquals(RunConfig.load(CONFIG).feedback(), Demo.config(settings(null, "schedule")).feedback());
    }

    @Test
    void optionsOverrideStepsAndPolicy() {
        RunConfig c = Demo.config(settings(120L, "exp3"));
        assertEquals(120, c.run().steps());
        assertEquals(new RunConfig.Feedback("exp3", Map.of()), c.feedback());
    }

    @Test
    void everyRegisteredPolicyIsAcceptedAndOthersAreRefusedNamingThem() {
        for (String name : Policies.names()) {
            assertEquals(name, Demo.config(settings(null, name)).feedback().policy());
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Demo.config(settings(null, "nope")));
        assertTrue(e.getMessage().contains(String.join(", ", Policies.names())), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Demo.config(settings(59L, null)));
    }
}
