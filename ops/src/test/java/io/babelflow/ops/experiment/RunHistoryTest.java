package io.babelflow.ops.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.telemetry.FileTelemetrySink;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunHistoryTest {
    @TempDir
    Path run;

    @Test
    void heldoutCurveCountsTokensFromTheRunsFirstStep() {
        try (FileTelemetrySink sink = new FileTelemetrySink(run.resolve("telemetry.avro"))) {
            long seq = 0;
            for (long step = 100; step < 104; step++) { // a fork starting at step 100, 512 tokens a step
                sink.emit(TrainStep.newBuilder().setRunId("r").setStep(step).setSequence(seq++).setTimestamp(Instant.EPOCH)
                        .setTokens(512).setLearningRate(1e-3).setLoss(2.0).setLanguageLoss(Map.of())
                        .setLanguageTokens(Map.of()).setMixtureVersion(0).setMixtureWeights(Map.of()).build());
                if (step % 2 == 1) {
                    sink.emit(EvalResult.newBuilder().setRunId("r").setStep(step).setSequence(seq++)
                            .setTimestamp(Instant.EPOCH).setLanguageLoss(Map.of("go", step == 101 ? 3.0 : 2.5))
                            .setLanguageTokens(Map.of("go", 1000L)).build());
                }
            }
            sink.emit(WorkingLanguage.newBuilder().setRunId("r").setSequence(seq).setStep(103).setTimestamp(Instant.EPOCH)
                    .setLayer(1).setLayers(2)
                    .setReadings(List.of(new LanguageReading("go", 5, Map.of("go", 0.25, "python", 0.75)))).build());
        }
        RunHistory h = RunHistory.read(run, "python");
        assertEquals(List.of(new SeedStats.Point(1024, 3.0), new SeedStats.Point(2048, 2.5)), h.curve("go"));
        assertEquals(2.5, h.finalLoss("go"));
        assertEquals(0.75, h.primaryShare().get("layer 1, go probes").get(103L), 1e-12, "python's share of the mass");
        assertEquals(103L, h.lastStep());
    }
}
