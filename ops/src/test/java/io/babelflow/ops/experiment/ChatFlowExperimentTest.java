package io.babelflow.ops.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.babelflow.trainer.config.RunConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The chatflow grid's arms: both fork at the end of pre-training and end on the instruction mixture. */
class ChatFlowExperimentTest {
    private static final ChatFlowExperiment.Settings S = new ChatFlowExperiment.Settings(100, 60, 2, 10);

    @Test
    void abruptArmTrainsOnTheInstructionMixtureFromTheFork() {
        GridRun abrupt = arms().get(0);
        assertEquals("abrupt", abrupt.arm());
        assertEquals(100, abrupt.startStep());
        RunConfig c = RunConfig.parse(abrupt.config(), "abrupt");
        assertEquals(Map.of("en", 0.1, "zh", 0.1, "en-zh", 0.1, "instruct", 0.7), weights(c));
        assertEquals(160, c.run().steps());
        assertNull(c.feedback());
    }

    @Test
    void scheduleArmMovesFromPretrainingToInstructionsByHalfTheArm() {
        GridRun schedule = arms().get(1);
        RunConfig c = RunConfig.parse(schedule.config(), "schedule");
        assertEquals(Map.of("en", 0.4, "zh", 0.4, "en-zh", 0.2, "instruct", 0.0), weights(c));
        assertEquals("schedule", c.feedback().policy());
        assertEquals("100:en=0.4,zh=0.4,en-zh=0.2,instruct=0.0;130:en=0.1,zh=0.1,en-zh=0.1,instruct=0.7",
                c.feedback().params().get("phases"));
    }

    @Test
    void everySeedHasBothArmsWithItsOwnSeed() {
        List<GridRun> arms = arms();
        assertEquals(List.of("abrupt-seed1", "schedule-seed1", "abrupt-seed2", "schedule-seed2"),
                arms.stream().map(r -> r.dir().getFileName().toString()).toList());
        assertEquals(2, RunConfig.parse(arms.get(3).config(), "s2").run().seed());
    }

    private static List<GridRun> arms() {
        GridRun pretrain = new GridRun("pretrain", 0, Path.of("out/runs/pretrain"), "", null, 0, 100);
        return ChatFlowExperiment.arms(S, Path.of("out"), pretrain);
    }

    private static Map<String, Double> weights(RunConfig c) {
        return c.languages().stream().collect(Collectors.toMap(RunConfig.Language::id, RunConfig.Language::weight));
    }
}
