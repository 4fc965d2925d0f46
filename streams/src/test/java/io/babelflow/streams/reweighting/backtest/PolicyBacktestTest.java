package io.babelflow.streams.reweighting.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.telemetry.FileTelemetrySink;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyBacktestTest {
    private static final double EPS = 1e-12;

    private static RunStarted runStarted(Map<String, LanguageRole> roles, Map<String, Double> weights) {
        List<LanguageSpec> specs = new ArrayList<>();
        roles.forEach((id, role) -> specs.add(new LanguageSpec(id, role, weights.get(id))));
        return RunStarted.newBuilder().setRunId("run-1").setSequence(0).setStartedAt(Instant.ofEpochMilli(0))
                .setConfig("{}").setLanguages(specs)
                .setModel(new ModelShape(2, 64, 4, 256, 128, 256)).build();
    }

    private static TrainStep step(long step, int rank, int worldSize, Map<String, Double> loss,
                                  Map<String, Double> weights) {
        Map<String, Long> tokens = new LinkedHashMap<>();
        loss.keySet().forEach(l -> tokens.put(l, 100L));
        return TrainStep.newBuilder().setRunId("run-1").setRank(rank).setWorldSize(worldSize).setStep(step)
                .setSequence(step + 1).setTimestamp(Instant.ofEpochMilli(1_000 * step)).setTokens(100L * loss.size())
                .setLearningRate(1e-3).setLoss(2.0).setLanguageLoss(loss).setLanguageTokens(tokens)
                .setMixtureVersion(0).setMixtureWeights(weights).build();
    }

    private static Map<String, LanguageRole> roles(Object... pairs) {
        Map<String, LanguageRole> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (LanguageRole) pairs[i + 1]);
        }
        return m;
    }

    private static List<SpecificRecord> scheduleRun() {
        Map<String, Double> w = Map.of("en", 0.9, "zh", 0.1);
        List<SpecificRecord> events = new ArrayList<>();
        events.add(runStarted(roles("en", LanguageRole.PRIMARY, "zh", LanguageRole.NEW), w));
        for (long s = 0; s <= 10; s++) {
            // two data-parallel ranks per step: still one point per step
            events.add(step(s, 0, 2, Map.of("en", 2.0, "zh", 3.0), w));
            events.add(step(s, 1, 2, Map.of("en", 2.2), w));
        }
        return events;
    }

    private static final Map<String, String> SCHEDULE = Map.of("phases", "0:en=0.9,zh=0.1;10:en=0.5,zh=0.5",
            "every", "1");

    @Test
    void scheduleBacktestFollowsTheScheduleStepByStep() {
        BacktestResult r = PolicyBacktest.run(scheduleRun(), "schedule", SCHEDULE);
        assertEquals("run-1", r.runId());
        assertEquals(List.of("en", "zh"), r.languages());
        assertEquals(11, r.series().size());
        for (BacktestResult.Point p : r.series()) {
            assertEquals(0.9 - 0.04 * p.step(), p.weights().get("en"), EPS, "step " + p.step());
            assertEquals(0.1 + 0.04 * p.step(), p.weights().get("zh"), EPS);
            assertEquals(p.step(), p.version()); // step 0 is the initial mixture: no update
            assertEquals(0.9, p.recordedWeights().get("en"), EPS);
            assertEquals(300 * (p.step() + 1), p.tokens());
        }
        assertEquals(10, r.updates().size());
        assertEquals(1, r.updates().get(0).atStep());
        assertEquals(BacktestResult.StageSource.NONE, r.stageSource());
    }

    @Test
    void babelTowerDerivesStagesFromTheLossCurveWhenNoneWereRecorded() {
        Map<String, Double> w = Map.of("python", 0.5, "go", 0.3, "php", 0.2);
        List<SpecificRecord> events = new ArrayList<>();
        events.add(runStarted(roles("python", LanguageRole.PRIMARY, "go", LanguageRole.NEW, "php", LanguageRole.NEW), w));
        double[] go = {4.0, 3.0, 2.0, 2.1, 2.4, 2.5, 2.6};
        for (int s = 0; s < go.length; s++) {
            events.add(step(s, 0, 1, Map.of("python", 1.5, "go", go[s], "php", 3.0 - 0.1 * s), w));
        }
        BacktestResult r = PolicyBacktest.run(events, "babel-tower",
                Map.of("ema", "0", "stagePatience", "2", "primaryFloor", "0"));
        assertEquals(BacktestResult.StageSource.DERIVED_FROM_LOSS, r.stageSource());
        assertEquals(1, r.updates().size());
        assertEquals(5, r.updates().get(0).atStep());
        // P(go) at step 5 = (4 − 2.5)/(4 − 2) = 0.75 → go 0.3·(1 − 0.5·0.75) = 0.1875, php gets 0.1125
        Map<String, Double> after = r.series().get(5).weights();
        assertEquals(0.1875, after.get("go"), EPS);
        assertEquals(0.3125, after.get("php"), EPS);
        assertEquals(0.5, after.get("python"), EPS);
        assertEquals(0.3, r.series().get(4).weights().get("go"), EPS);
        assertTrue(r.updates().get(0).decision().reason().contains("P(go)=0.75"));
    }

    @Test
    void recordedStageChangesAreUsedAsGiven() {
        Map<String, Double> w = Map.of("python", 0.5, "go", 0.3, "php", 0.2);
        List<SpecificRecord> events = new ArrayList<>();
        events.add(runStarted(roles("python", LanguageRole.PRIMARY, "go", LanguageRole.NEW, "php", LanguageRole.NEW), w));
        for (int s = 0; s < 4; s++) {
            events.add(step(s, 0, 1, Map.of("go", 4.0 - s), w));
        }
        events.add(StageChange.newBuilder().setRunId("run-1").setLanguage("go").setFrom(Stage.TRANSLATION)
                .setTo(Stage.TRANSITION).setStep(2).setSignals(Map.of("transferringRatio", 0.3))
                .setReason("test").setCreatedAt(Instant.ofEpochMilli(2_500)).build());
        BacktestResult r = PolicyBacktest.run(events, "babel-tower", Map.of("ema", "0", "primaryFloor", "0"));
        assertEquals(BacktestResult.StageSource.RECORDED, r.stageSource());
        assertEquals(2, r.updates().get(0).atStep());
        assertEquals(0.15, r.series().get(2).weights().get("go"), EPS); // P = 1 on a falling curve
    }

    @Test
    void heldoutEvalsDriveExcessLoss() {
        List<SpecificRecord> events = new ArrayList<>(scheduleRun());
        events.add(EvalResult.newBuilder().setRunId("run-1").setSequence(99).setStep(4)
                .setTimestamp(Instant.ofEpochMilli(4_500)).setLanguageLoss(Map.of("en", 2.0, "zh", 3.5))
                .setLanguageTokens(Map.of("en", 10L, "zh", 10L)).build());
        BacktestResult r = PolicyBacktest.run(events, "excess-loss",
                Map.of("reference", "en=2.0,zh=3.0", "signal", "heldout", "smoothing", "0"));
        assertEquals(1, r.updates().size());
        // α' = (0.9, 0.1·e^0.5) normalised
        double zh = 0.1 * Math.exp(0.5) / (0.9 + 0.1 * Math.exp(0.5));
        assertEquals(zh, r.series().get(4).weights().get("zh"), EPS);
        assertEquals(0.1, r.series().get(3).weights().get("zh"), EPS);
    }

    @Test
    void telemetryFileRoundTripAndCsv(@TempDir Path dir) {
        Path file = dir.resolve("run.avro");
        try (FileTelemetrySink sink = new FileTelemetrySink(file)) {
            scheduleRun().forEach(sink::emit);
        }
        BacktestResult fromFile = PolicyBacktest.run(file, "schedule", SCHEDULE);
        BacktestResult inMemory = PolicyBacktest.run(scheduleRun(), "schedule", SCHEDULE);
        assertEquals(inMemory.series(), fromFile.series());
        assertEquals(0, fromFile.unreadableBlocks());

        StringWriter csv = new StringWriter();
        BacktestCsv.write(fromFile, csv);
        String[] lines = csv.toString().split("\r\n");
        assertEquals(12, lines.length);
        assertEquals("step,tokens,timestamp_ms,version,en,zh,recorded_en,recorded_zh,update_reason", lines[0]);
        assertTrue(lines[1].startsWith("0,300,0,0,0.9,0.1,0.9,0.1,"), lines[1]);
        String[] row = lines[6].split(",", 9);
        assertEquals(List.of("5", "1800", "5000", "5"), List.of(row).subList(0, 4));
        assertEquals(0.7, Double.parseDouble(row[4]), EPS);
        assertEquals(0.3, Double.parseDouble(row[5]), EPS);
        assertTrue(row[8].startsWith("\"v5: schedule: step 5 in phase 0→10 (u=0.500, linear f=0.500)"), row[8]);
    }

    @Test
    void inputProblemsAreInvalidInput(@TempDir Path dir) {
        assertTrue(assertThrows(InvalidInputException.class,
                () -> PolicyBacktest.run(List.of(), "static", Map.of())).getMessage().contains("no RunStarted"));
        assertThrows(InvalidInputException.class, () -> PolicyBacktest.run(dir.resolve("none.avro"), "static", Map.of()));
        assertThrows(InvalidInputException.class, () -> PolicyBacktest.run(scheduleRun(), "nope", Map.of()));
    }

    @Test
    void csvQuotesCellsWithSeparators() {
        assertEquals("plain", BacktestCsv.quote("plain"));
        assertEquals("\"a, \"\"b\"\"\"", BacktestCsv.quote("a, \"b\""));
    }
}
