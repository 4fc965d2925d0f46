package io.babelflow.streams.specialization.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.events.Stage;
import io.babelflow.streams.JsonSerde;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stage analysis of the recorded babel-tower run kept as a regression test. The fixture is the
 * app's evidence per eval point (held-out losses, middle-layer working-language shares, LAPE-specific
 * counts, transfer measure, Jaccard, introductions), written by
 * {@code babelflow experiment stages /work/rec/bt-6000 --evidence FILE} from the recording of
 * {@code trainer/configs/babel-tower.yaml} (docs/signals.md, "Calibration"); the activation statistics
 * themselves are too large to commit.
 */
class RecordedRunStagesTest {
    private static final String FIXTURE = "bt-6000-evidence.json";

    static RunLanguages languages(JsonNode json) {
        List<String> fresh = new ArrayList<>();
        json.get("newLanguages").forEach(n -> fresh.add(n.asText()));
        return new RunLanguages(json.get("primary").asText(), fresh);
    }

    static List<StageReplay.EvalPoint> points(JsonNode json) throws IOException {
        List<StageReplay.EvalPoint> points = new ArrayList<>();
        for (JsonNode n : json.get("points")) {
            points.add(JsonSerde.MAPPER.treeToValue(n, StageReplay.EvalPoint.class));
        }
        return points;
    }

    static JsonNode fixture() throws IOException {
        try (InputStream in = RecordedRunStagesTest.class.getResourceAsStream(FIXTURE)) {
            return JsonSerde.MAPPER.readTree(in);
        }
    }

    private static void assertNear(long expected, long actual, long tolerance, String what) {
        assertTrue(Math.abs(expected - actual) <= tolerance, what + ": expected " + expected + " ± " + tolerance
                + ", was " + actual);
    }

    @Test
    void theRecordedRunsStagesFallWhereTheCalibrationFoundThem() throws IOException {
        JsonNode json = fixture();
        StageReplay.Result result = StageReplay.run(languages(json), points(json), StageThresholds.DEFAULTS, 5);
        // go: fast fall 3.19 → 2.02 by step 2299, a plateau to 2499, falling again from 2599;
        // cpp: a steady fall whose slope first drops under 5 % of α per 1000 steps at 3599
        long[][] expected = {{2099, 2499, 2599}, {2099, 3599, 3699}};
        List<String> languages = List.of("go", "cpp");
        for (int i = 0; i < 2; i++) {
            String l = languages.get(i);
            assertEquals(expected[i][0], result.enteredAt(l, Stage.TRANSLATION), l + ": the first eval point after the join");
            assertNear(expected[i][1], result.enteredAt(l, Stage.TRANSITION), 100, l + " Transition");
            assertNear(expected[i][2], result.enteredAt(l, Stage.STABILIZATION), 100, l + " Stabilization");
            StageTimeline.Entry transition = result.changes().stream()
                    .filter(c -> c.language().equals(l) && c.to() == Stage.TRANSITION).findFirst().orElseThrow();
            assertEquals(2000.0, transition.signals().get("introducedAtStep"), l);
            assertTrue(transition.reason().startsWith("held-out loss stalled"), transition.reason());
        }
        // nothing before the join: 20 eval points with go and cpp at weight 0
        assertTrue(result.rows().stream().filter(r -> r.step() < 2000).allMatch(r -> r.stage() == null));
    }

    @Test
    void theShareRouteIsSilentAtTheCalibratedThresholdAndAnArtefactAtTheOldOne() throws IOException {
        JsonNode json = fixture();
        LossTrajectory.Parameters noStall = new LossTrajectory.Parameters(3, 1.0, 0.05); // a 100 % drop never happens
        StageReplay.Result calibrated = StageReplay.run(languages(json), points(json),
                StageThresholds.DEFAULTS.withLoss(noStall), 5);
        assertEquals(-1, calibrated.enteredAt("go", Stage.TRANSITION));
        assertEquals(-1, calibrated.enteredAt("cpp", Stage.TRANSITION));
        // at share ≥ 0.35 (below the 0.38 and 0.62 mean shares go and cpp had before they were trained on) the
        // route fires on the third window after the join, whatever the languages do
        StageReplay.Result old = StageReplay.run(languages(json), points(json),
                new StageThresholds(0.5, 0.35, 0.7, 0.5, 0.02, 3, noStall), 5);
        assertEquals(2399, old.enteredAt("go", Stage.TRANSITION));
        assertEquals(2399, old.enteredAt("cpp", Stage.TRANSITION));
    }
}
