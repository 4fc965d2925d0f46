package io.babelflow.ops.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.train.TrainOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSessionTest {
    @Test
    void theCallersOptionsBuilderIsLeftAsItWas(@TempDir Path tmp) throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        Path config = Path.of("..", "trainer", "configs", "tiny.yaml");
        TrainOptions.Builder builder = TrainOptions.builder(corpus, tmp.resolve("run")).config(config).steps(3);
        TrainOptions before = builder.build();

        TrainingSession session = new TrainingSession(builder, null);

        TrainOptions after = builder.build();
        assertEquals(before, after);
        assertTrue(after.stopOnSignal(), "the session handles the signal itself, without turning the caller's off");
        assertNull(after.sink());
        assertEquals(3, session.trainer().config().run().steps());
    }
}
