package io.babelflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one set of input checks both apps apply: each rule that either app had before still holds. */
class InputChecksTest {
    private static final List<LanguageSpec> PYTHON_GO = List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.5),
            new LanguageSpec("go", LanguageRole.NEW, 0.5));

    private static RunStarted.Builder run() {
        return RunStarted.newBuilder().setRunId("run-1").setRank(0).setWorldSize(1).setSequence(0)
                .setStartedAt(Instant.EPOCH).setStartStep(0).setConfig("{}").setLanguages(PYTHON_GO)
                .setModel(new ModelShape(2, 16, 2, 64, 64, 256));
    }

    private static EvalResult eval(long step, Map<String, Double> loss) {
        return EvalResult.newBuilder().setRunId("run-1").setRank(0).setSequence(step).setStep(step)
                .setTimestamp(Instant.EPOCH).setLanguageLoss(loss).setLanguageTokens(Map.of()).build();
    }

    @Test
    void runStartedNeedsAStartStepAModelAndDistinctLanguages() {
        assertNull(InputChecks.runStarted(run().build()));
        assertEquals("empty runId", InputChecks.runStarted(run().setRunId("").build()));
        assertEquals("worldSize 0 < 1", InputChecks.runStarted(run().setWorldSize(0).build()));
        assertEquals("negative startStep -1", InputChecks.runStarted(run().setStartStep(-1).build()));
        assertEquals("model of 0 layers x 64 neurons",
                InputChecks.runStarted(run().setModel(new ModelShape(0, 16, 2, 64, 64, 256)).build()));
        assertEquals("duplicate language go", InputChecks.runStarted(run().setLanguages(List.of(PYTHON_GO.get(1),
                PYTHON_GO.get(1))).build()));
        assertEquals("no languages", InputChecks.runStarted(run().setLanguages(List.of()).build()));
    }

    @Test
    void evalResultNeedsARunAStepAndFiniteLosses() {
        assertNull(InputChecks.evalResult(eval(10, Map.of("go", 2.0))));
        assertEquals("negative step -1", InputChecks.evalResult(eval(-1, Map.of())));
        assertEquals("loss NaN of go is not a finite cross-entropy",
                InputChecks.evalResult(eval(10, Map.of("go", Double.NaN))));
        assertEquals("loss Infinity of go is not a finite cross-entropy",
                InputChecks.evalResult(eval(10, Map.of("go", Double.POSITIVE_INFINITY))));
        EvalResult noRun = eval(10, Map.of());
        noRun.setRunId("");
        assertEquals("empty runId", InputChecks.evalResult(noRun));
    }
}
