package io.babelflow.producers.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.PackedFloats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonEventsTest {

    @Test
    void trainStepFromJsonEqualsTheAvroRecord() throws Exception {
        TrainStep step = (TrainStep) JsonEvents.parse("""
                {"type": "TrainStep", "runId": "r1", "step": 7, "sequence": 8, "timestamp": 1764000000000,
                 "tokens": 4096, "learningRate": 0.0003, "loss": 2.5,
                 "languageLoss": {"python": 2.0, "go": 3.0}, "languageTokens": {"python": 2048, "go": 2048},
                 "mixtureVersion": 1}""");
        assertEquals("r1", step.getRunId());
        assertEquals(0, step.getRank(), "default");
        assertEquals(1, step.getWorldSize(), "default");
        assertEquals(Instant.ofEpochMilli(1764000000000L), step.getTimestamp());
        assertEquals(Map.of("python", 2.0, "go", 3.0), step.getLanguageLoss());
        assertEquals(Map.of(), step.getMixtureWeights(), "default");
    }

    @Test
    void nanLossFromPythonsJsonIsAccepted() throws Exception {
        TrainStep step = (TrainStep) JsonEvents.parse("""
                {"type": "TrainStep", "runId": "r1", "step": 7, "sequence": 8, "timestamp": "2026-11-24T00:00:00Z",
                 "tokens": 1, "learningRate": 0.1, "loss": NaN, "languageLoss": {"go": Infinity},
                 "languageTokens": {"go": 1}, "mixtureVersion": 0}""");
        assertTrue(Double.isNaN(step.getLoss()));
        assertEquals(Double.POSITIVE_INFINITY, step.getLanguageLoss().get("go"));
    }

    @Test
    void activationMatricesAreJsonArrays() throws Exception {
        ActivationStats stats = (ActivationStats) JsonEvents.parse("""
                {"type": "ActivationStats", "runId": "r1", "sequence": 3, "windowStart": 0, "windowEnd": 9,
                 "layer": 0, "layers": 2, "neurons": 2, "languages": ["python", "go"], "tokens": [10, 10],
                 "activeCounts": [1, 2, 3, 4], "activationSums": [0.5, 1, 1.5, 2]}""");
        assertEquals(StatsSource.TRAIN, stats.getSource());
        assertArrayEquals(new float[] {1, 2, 3, 4}, PackedFloats.unpack(stats.getActiveCounts()));
    }

    @Test
    void nestedRecordsEnumsAndNullableFields() throws Exception {
        RunStarted run = (RunStarted) JsonEvents.parse("""
                {"type": "RunStarted", "runId": "r1", "sequence": 0, "startedAt": 0, "config": "",
                 "languages": [{"id": "python", "role": "PRIMARY"}, {"id": "go", "role": "NEW", "initialWeight": 0.2}],
                 "model": {"layers": 2, "dModel": 64, "heads": 4, "ffnWidth": 256, "contextLength": 128, "vocabSize": 256},
                 "feedbackPolicy": null}""");
        assertEquals(2, run.getLanguages().size());
        assertEquals(0.2, run.getLanguages().get(1).getInitialWeight());
        WorkingLanguage wl = (WorkingLanguage) JsonEvents.parse("""
                {"type": "WorkingLanguage", "runId": "r1", "sequence": 1, "step": 5, "timestamp": 0, "layer": 1,
                 "layers": 2, "readings": [{"probeLanguage": "go", "prompts": 3, "answerMass": {"go": 0.1, "python": 0.6}}]}""");
        assertEquals(List.of("go"), wl.getReadings().stream().map(r -> r.getProbeLanguage()).toList());
    }

    @Test
    void badLinesAreRejectedWithTheReason() {
        assertReason("{\"type\": \"TrainStep\", \"runId\": \"r1\"}", "missing field \"step\"");
        assertReason("{\"type\": \"TrainStepp\"}", "unknown type \"TrainStepp\"");
        assertReason("{\"runId\": \"r1\"}", "no \"type\"");
        assertReason("not json", "not JSON");
        assertReason("[1, 2]", "not a JSON object");
        assertReason("""
                {"type": "EvalResult", "runId": "r1", "sequence": 1, "step": "five", "timestamp": 0,
                 "languageLoss": {}, "languageTokens": {}}""", "field \"step\": expected an integer");
        assertReason("""
                {"type": "EvalResult", "runId": "r1", "sequence": 1, "step": 5, "timestamp": 0, "lossx": 1,
                 "languageLoss": {}, "languageTokens": {}}""", "unknown field \"lossx\"");
        assertReason("""
                {"type": "ActivationStats", "runId": "r1", "sequence": 3, "source": "TEST", "windowStart": 0,
                 "windowEnd": 9, "layer": 0, "layers": 2, "neurons": 1, "languages": ["go"], "tokens": [1],
                 "activeCounts": [1], "activationSums": [1]}""", "expected one of [TRAIN, HELDOUT]");
    }

    private static void assertReason(String line, String expected) {
        JsonEvents.BadEventException e = assertThrows(JsonEvents.BadEventException.class, () -> JsonEvents.parse(line));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
