package io.babelflow.streams.specialization.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LossHistoryTest {
    private static final LossTrajectory.Parameters P = LossTrajectory.Parameters.DEFAULTS;

    private static LossHistory evals(LossHistory h) {
        return h.with(1900, Map.of("go", 5.0), 5, P).with(2000, Map.of("go", 4.0), 5, P)
                .with(2100, Map.of("go", 3.0), 5, P).with(2200, Map.of("go", 2.0), 5, P);
    }

    @Test
    void theIntroductionStepAnchorsAlphaWhetherItArrivesBeforeOrAfterTheEvals() {
        LossHistory before = evals(LossHistory.EMPTY.withWeights(0, Map.of("python", 1.0, "go", 0.0), P)
                .withWeights(2000, Map.of("python", 0.5, "go", 0.5), P));
        LossHistory after = evals(LossHistory.EMPTY).withWeights(2000, Map.of("python", 0.5, "go", 0.5), P);
        for (LossHistory h : new LossHistory[] {before, after}) {
            LossTrajectory.Reading go = h.trajectory("go");
            assertEquals(2000, go.introducedAt());
            assertEquals(4.0, go.alpha(), 1e-12, "the loss at step 2000, not 5.0 at 1900");
            assertEquals(3.0, go.smoothed(), 1e-12, "mean of 4, 3, 2");
            assertEquals(LossTrajectory.Phase.FALLING, go.phase());
            assertEquals(2000, go.fallingFrom());
        }
        assertEquals(0L, before.introduced().get("python"));
        assertEquals(2000L, after.introduced().get("go"));
    }

    @Test
    void aLanguageAtWeightZeroIsNotIntroducedAndUnknownWeightsLeaveItUnknown() {
        LossHistory h = evals(LossHistory.EMPTY.withWeights(0, Map.of("python", 1.0, "go", 0.0), P));
        assertEquals(LossTrajectory.Phase.NOT_INTRODUCED, h.trajectory("go").phase());
        assertEquals(-1, h.trajectory("go").introducedAt());
        assertNull(evals(LossHistory.EMPTY).trajectory("go"), "no TrainStep weights seen: unknown");
        assertSame(h, h.withWeights(100, Map.of("python", 1.0), P), "nothing new");
        assertEquals(0L, h.withWeights(2000, Map.of("python", 0.5, "go", 0.5), P).introduced().get("python"),
                "the first step above 0 stays");
    }
}
