package io.babelflow.streams.reweighting.app;

import static io.babelflow.streams.reweighting.app.Telemetry.PYTHON_GO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.Topics;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.JsonSerde;
import io.babelflow.streams.StreamsDefaults;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReweightingAppTest {
    private static final double EPS = 1e-12;
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ReweightingConfig CONFIG = ReweightingConfig.DEFAULTS.withStepGrace(Duration.ofSeconds(10));

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> runs;
    private TestInputTopic<byte[], byte[]> steps;
    private TestInputTopic<byte[], byte[]> evals;
    private TestInputTopic<byte[], byte[]> stages;
    private TestOutputTopic<String, MixtureUpdate> control;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(Path dir) {
        start(dir, Map.of());
    }

    private void start(Path dir, Map<String, ?> extra) {
        driver = new TopologyTestDriver(ReweightingApp.topology(CONFIG),
                StreamsDefaults.base("unused:9092", "reweighting-test", dir.toString(), extra), START);
        ByteArraySerializer bytes = new ByteArraySerializer();
        runs = driver.createInputTopic(Topics.RUNS.name(), bytes, bytes);
        steps = driver.createInputTopic(Topics.TRAIN_STEPS.name(), bytes, bytes);
        evals = driver.createInputTopic(Topics.EVAL_RESULTS.name(), bytes, bytes);
        stages = driver.createInputTopic(Topics.STAGE_CHANGES.name(), bytes, bytes);
        control = driver.createOutputTopic(Topics.MIXTURE_CONTROL.name(), new StringDeserializer(),
                Topics.MIXTURE_CONTROL.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- policies end to end -----------------------------------------------------------------------

    /** The trainer in the loop: every step reports the newest version it has received and its weights. */
    @Test
    void scheduleEmitsTheScheduledWeightsEveryTenStepsWithIncreasingVersions() {
        start(stateDir);
        send(runs, Telemetry.run("run-1", 1, "schedule",
                Map.of("phases", "0:python=1.0,go=0.0;100:python=0.5,go=0.5", "every", "10"), PYTHON_GO));
        List<MixtureUpdate> updates = new ArrayList<>();
        MixtureUpdate inForce = null;
        for (long s = 0; s <= 100; s++) {
            send(steps, Telemetry.step("run-1", s, Map.of("python", 1.0, "go", 2.0),
                    inForce == null ? 0 : inForce.getVersion(),
                    inForce == null ? Map.of("python", 0.5, "go", 0.5) : inForce.getWeights()));
            for (MixtureUpdate u : control.readValuesToList()) {
                updates.add(u);
                inForce = u;
            }
        }
        assertEquals(11, updates.size(), "steps 0, 10, …, 100");
        for (int i = 0; i < updates.size(); i++) {
            MixtureUpdate u = updates.get(i);
            long step = 10L * i;
            assertEquals("run-1", u.getRunId());
            assertEquals(i + 1, u.getVersion());
            assertEquals("schedule", u.getPolicy());
            assertEquals(step, u.getBasedOnStep());
            // linear from python=1 at step 0 to python=0.5 at step 100
            assertEquals(1.0 - 0.005 * step, u.getWeights().get("python"), EPS, "python at step " + step);
            assertEquals(0.005 * step, u.getWeights().get("go"), EPS, "go at step " + step);
            assertTrue(u.getReason().startsWith("schedule: step " + step + " "), u.getReason());
            assertEquals(START, u.getCreatedAt());
        }
        ReweightingMetrics m = metrics();
        assertEquals(11, m.updatesEmitted());
        assertEquals(101, m.stepsMerged());
        assertEquals(1, m.runsSteered());
        assertTrue(deadLetters.isEmpty());
    }

    /** Same steps and expected values as Exp3PolicyTest.probabilitiesMatchHandComputation. */
    @Test
    void exp3ProbabilitiesMatchTheHandComputation() {
        start(stateDir);
        List<LanguageSpec> enZh = List.of(new LanguageSpec("en", LanguageRole.PRIMARY, 0.7),
                new LanguageSpec("zh", LanguageRole.NEW, 0.3));
        send(runs, Telemetry.run("run-1", 1, "exp3", Map.of(), enZh));
        send(steps, Telemetry.step("run-1", 0, Map.of("en", 3.0, "zh", 5.0), 0, Map.of("en", 0.7, "zh", 0.3)));
        send(steps, Telemetry.step("run-1", 1, Map.of("en", 2.0, "zh", 4.0), 1, Map.of("en", 0.5, "zh", 0.5)));
        send(steps, Telemetry.step("run-1", 2, Map.of("zh", 3.5), 2, Map.of()));

        List<MixtureUpdate> u = control.readValuesToList();
        assertEquals(3, u.size());
        assertEquals(List.of(1L, 2L, 3L), u.stream().map(MixtureUpdate::getVersion).toList());
        assertEquals(0.5, u.get(0).getWeights().get("en"), EPS);
        assertEquals(0.5, u.get(0).getWeights().get("zh"), EPS);
        assertEquals(0.4675098782006151, u.get(1).getWeights().get("en"), EPS);
        assertEquals(0.5324901217993849, u.get(1).getWeights().get("zh"), EPS);
        assertTrue(u.get(1).getReason().contains("ε=0.4163"), u.get(1).getReason());
        assertEquals(0.428839232933381, u.get(2).getWeights().get("en"), EPS);
        assertEquals(0.571160767066619, u.get(2).getWeights().get("zh"), EPS);
        assertEquals(2, u.get(2).getBasedOnStep());
        assertEquals("exp3", u.get(2).getPolicy());
    }

    /**
     * python (PRIMARY, 0.05), go and php (NEW, 0.5 and 0.45), primaryFloor 0.3. The first step proposes
     * the base mixture raised to the floor: python 0.3, the others scaled by 0.7/0.95. go entering
     * TRANSITION with no go loss seen (P taken as 1) halves go's base share 0.5 → 0.25, the freed 0.25
     * goes to php, still in TRANSLATION (0.70), and the floor again scales go and php by 0.7/0.95.
     */
    @Test
    void babelTowerCutsALanguageEnteringTransitionAndKeepsThePrimaryFloor() {
        start(stateDir);
        List<LanguageSpec> languages = List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.05),
                new LanguageSpec("go", LanguageRole.NEW, 0.5), new LanguageSpec("php", LanguageRole.NEW, 0.45));
        send(runs, Telemetry.run("run-1", 1, "babel-tower", Map.of("primaryFloor", "0.3"), languages));
        send(steps, Telemetry.step("run-1", 0, Map.of("python", 1.2), 0, Map.of()));
        MixtureUpdate base = control.readValue();
        assertEquals(1, base.getVersion());
        assertEquals(0.3, base.getWeights().get("python"), EPS);
        assertEquals(0.5 * 0.7 / 0.95, base.getWeights().get("go"), EPS);
        assertEquals(0.45 * 0.7 / 0.95, base.getWeights().get("php"), EPS);

        send(steps, Telemetry.step("run-1", 1, Map.of("python", 1.1), 1, base.getWeights()));
        assertTrue(control.isEmpty(), "stages unchanged: nothing new to send");
        send(stages, Telemetry.stage("run-1", "go", Stage.TRANSLATION, Stage.TRANSITION, 1));
        MixtureUpdate cut = control.readValue();
        assertEquals(2, cut.getVersion());
        assertEquals(1, cut.getBasedOnStep());
        assertEquals(0.25 * 0.7 / 0.95, cut.getWeights().get("go"), EPS);
        assertTrue(cut.getWeights().get("go") < base.getWeights().get("go"));
        assertEquals(0.70 * 0.7 / 0.95, cut.getWeights().get("php"), EPS);
        assertEquals(0.3, cut.getWeights().get("python"), EPS, "primary floor");
        assertTrue(cut.getReason().contains("go TRANSLATION→TRANSITION at step 1"), cut.getReason());
    }

    // ---- runs --------------------------------------------------------------------------------------

    @Test
    void runsWithoutAPolicyAreIgnoredAndInterleavedRunsHaveTheirOwnVersions() {
        start(stateDir);
        send(runs, Telemetry.run("plain", 1, null, Map.of(), PYTHON_GO));
        send(runs, Telemetry.run("a", 1, "schedule", Map.of("phases", "0:python=1,go=0;4:python=0.6,go=0.4",
                "every", "1"), PYTHON_GO));
        send(runs, Telemetry.run("b", 1, "schedule", Map.of("phases", "0:python=0,go=1;4:python=0.4,go=0.6",
                "every", "1"), PYTHON_GO));
        for (long s = 0; s < 5; s++) {
            send(steps, Telemetry.step("plain", s, Map.of("go", 2.0), 0, Map.of()));
            send(steps, Telemetry.step("a", s, Map.of("go", 2.0), 0, Map.of()));
            send(steps, Telemetry.step("b", s, Map.of("go", 2.0), 0, Map.of()));
        }
        send(evals, Telemetry.eval("plain", 0, 4, Map.of("go", 2.0)));
        send(stages, Telemetry.stage("plain", "go", Stage.TRANSLATION, Stage.TRANSITION, 4));

        Map<String, List<MixtureUpdate>> byRun = control.readKeyValuesToList().stream()
                .collect(Collectors.groupingBy(kv -> kv.key, TreeMap::new,
                        Collectors.mapping(kv -> kv.value, Collectors.toList())));
        assertEquals(Set.of("a", "b"), byRun.keySet());
        for (String run : List.of("a", "b")) {
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), byRun.get(run).stream().map(MixtureUpdate::getVersion).toList());
            byRun.get(run).forEach(u -> assertEquals(run, u.getRunId()));
        }
        assertEquals(0.9, byRun.get("a").get(1).getWeights().get("python"), EPS);
        assertEquals(0.1, byRun.get("b").get(1).getWeights().get("python"), EPS);
        assertEquals(2, metrics().runsSteered());
        assertTrue(deadLetters.isEmpty());
    }

    /**
     * Every rank publishes RunStarted: an equal one keeps the controller. Another policy replaces it,
     * versions continuing above the last one sent; a RunStarted without policy stops the steering.
     */
    @Test
    void anEqualRunStartedKeepsTheControllerAnotherPolicyContinuesTheVersions() {
        start(stateDir);
        Map<String, String> schedule = Map.of("phases", "0:python=1,go=0;4:python=0.6,go=0.4", "every", "1");
        send(runs, Telemetry.run("run-1", 0, 2, 0, "schedule", schedule, PYTHON_GO));
        send(steps, Telemetry.step("run-1", 0, Map.of("go", 2.0), 0, Map.of()));
        send(runs, Telemetry.run("run-1", 1, 2, 0, "schedule", schedule, PYTHON_GO));
        send(steps, Telemetry.step("run-1", 1, Map.of("go", 2.0), 0, Map.of()));
        assertEquals(List.of(1L, 2L), control.readValuesToList().stream().map(MixtureUpdate::getVersion).toList());
        assertEquals(1, metrics().runsSteered());

        send(runs, Telemetry.run("run-1", 1, "static", Map.of("weights", "python=0.2,go=0.8"), PYTHON_GO));
        send(steps, Telemetry.step("run-1", 2, Map.of("go", 2.0), 0, Map.of()));
        MixtureUpdate reconfigured = control.readValue();
        assertEquals(3, reconfigured.getVersion());
        assertEquals("static", reconfigured.getPolicy());
        assertEquals(0.8, reconfigured.getWeights().get("go"), EPS);
        assertEquals(2, metrics().runsSteered());

        send(runs, Telemetry.run("run-1", 1, null, Map.of(), PYTHON_GO));
        send(steps, Telemetry.step("run-1", 3, Map.of("go", 2.0), 0, Map.of()));
        assertTrue(control.isEmpty());
    }

    // ---- ranks -------------------------------------------------------------------------------------

    /**
     * World size 2, exp3 (whose reason counts the steps it has seen, t): rank 0 sees 1000 en tokens at
     * loss 2.0, rank 1 3000 at 4.0, so the merged step has the token-weighted loss 3.5 and reward
     * 0.1 × 3.5 at π = 0.7.
     */
    @Test
    void ranksAreMergedIntoOneStepBeforeThePolicySeesIt() {
        start(stateDir);
        List<LanguageSpec> enZh = List.of(new LanguageSpec("en", LanguageRole.PRIMARY, 0.7),
                new LanguageSpec("zh", LanguageRole.NEW, 0.3));
        send(runs, Telemetry.run("run-1", 2, "exp3", Map.of(), enZh));
        Map<String, Double> inForce = Map.of("en", 0.7, "zh", 0.3);

        send(steps, rank(0, 0, 2.0, 1000, inForce));
        assertTrue(control.isEmpty(), "rank 1 has not reported step 0");
        send(steps, rank(1, 0, 4.0, 3000, inForce));
        MixtureUpdate first = control.readValue();
        assertTrue(first.getReason().contains("t=1 "), first.getReason());
        assertTrue(first.getReason().contains("en 0.3500/0.700"), first.getReason());
        assertTrue(control.isEmpty(), "one merged step, one update");

        send(steps, rank(1, 1, 4.0, 3000, inForce));
        send(steps, rank(0, 1, 2.0, 1000, inForce));
        assertTrue(control.readValue().getReason().contains("t=2 "));

        // rank 1 skips step 2: once it reports step 3, step 2 is merged over rank 0 alone
        send(steps, rank(0, 2, 2.0, 1000, inForce));
        send(steps, rank(1, 3, 4.0, 3000, inForce));
        MixtureUpdate skipped = control.readValue();
        assertEquals(2, skipped.getBasedOnStep());
        assertTrue(skipped.getReason().contains("t=3 ") && skipped.getReason().contains("en 0.2000/0.700"),
                skipped.getReason());
        send(steps, rank(0, 3, 2.0, 1000, inForce));
        assertEquals(3, control.readValue().getBasedOnStep());

        // rank 1 falls silent: step 4 is merged once the 10 s grace period has passed on the wall clock
        send(steps, rank(0, 4, 2.0, 1000, inForce));
        driver.advanceWallClockTime(Duration.ofSeconds(9));
        assertTrue(control.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        MixtureUpdate graced = control.readValue();
        assertEquals(4, graced.getBasedOnStep());
        assertTrue(graced.getReason().contains("t=5 "), graced.getReason());

        // rank 1's step 4 arriving now is late, and a rank's second record of a step is a duplicate
        send(steps, rank(1, 4, 4.0, 3000, inForce));
        send(steps, rank(0, 5, 2.0, 1000, inForce));
        send(steps, rank(0, 5, 2.0, 1000, inForce));
        send(steps, rank(1, 5, 4.0, 3000, inForce));
        assertTrue(control.readValue().getReason().contains("t=6 "));
        assertTrue(control.isEmpty());

        ReweightingMetrics m = metrics();
        assertEquals(6, m.stepsMerged());
        assertEquals(2, m.incompleteSteps());
        assertEquals(2, m.lateRecords());
        assertEquals(6, m.updatesEmitted());
    }

    /** A resume from a checkpoint at step 2 re-runs steps 2 and 3: they reach the policy again. */
    @Test
    void aResumeFromAnEarlierCheckpointTakesTheReRunStepsAgain() {
        start(stateDir);
        List<LanguageSpec> enZh = List.of(new LanguageSpec("en", LanguageRole.PRIMARY, 0.7),
                new LanguageSpec("zh", LanguageRole.NEW, 0.3));
        send(runs, Telemetry.run("run-1", 1, "exp3", Map.of(), enZh));
        for (long s = 0; s < 4; s++) {
            send(steps, Telemetry.step("run-1", s, Map.of("en", 2.0, "zh", 3.0), 0, Map.of()));
        }
        assertEquals(4, control.readValuesToList().size());
        send(runs, Telemetry.run("run-1", 0, 1, 2, "exp3", Map.of(), enZh));
        for (long s = 2; s < 5; s++) {
            send(steps, Telemetry.step("run-1", s, Map.of("en", 2.0, "zh", 3.0), 4, Map.of()));
        }
        // exp3 learns from the re-run steps 2 and 3 but proposes only after its last decision (step 3)
        MixtureUpdate next = control.readValue();
        assertTrue(control.isEmpty());
        assertEquals(5, next.getVersion());
        assertEquals(4, next.getBasedOnStep());
        assertTrue(next.getReason().contains("t=7 "), next.getReason());
        assertEquals(0, metrics().lateRecords());
        assertEquals(7, metrics().stepsMerged());
    }

    // ---- time and state ----------------------------------------------------------------------------

    @Test
    void anUpdateDeferredByMinSecondsIsEmittedByTheWallClockWithoutNewInput() {
        start(stateDir);
        send(runs, Telemetry.run("run-1", 1, "schedule",
                Map.of("phases", "0:python=1,go=0;10:python=0,go=1", "every", "1", "minSeconds", "60"), PYTHON_GO));
        send(steps, Telemetry.step("run-1", 0, Map.of("go", 2.0), 0, Map.of()));
        assertEquals(1, control.readValue().getVersion());
        driver.advanceWallClockTime(Duration.ofSeconds(20));
        send(steps, Telemetry.step("run-1", 5, Map.of("go", 2.0), 1, Map.of()));
        assertTrue(control.isEmpty(), "20 s after the last update, 60 s are required");
        assertEquals(1, metrics().decisionsDeferred());

        driver.advanceWallClockTime(Duration.ofSeconds(39));
        assertTrue(control.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        MixtureUpdate due = control.readValue();
        assertEquals(2, due.getVersion());
        assertEquals(5, due.getBasedOnStep());
        assertEquals(0.5, due.getWeights().get("go"), EPS);
        assertEquals(START.plusSeconds(60), due.getCreatedAt());
        driver.advanceWallClockTime(Duration.ofSeconds(120));
        assertTrue(control.isEmpty(), "sent once");
    }

    /**
     * Two ranks, exp3 with a step-interval guardrail and max change, so controller state, the pending
     * target and an open step all cross the restart. The updates must equal, version for version,
     * those of the same input without a restart.
     *
     * <p>After a crash under exactly-once, Kafka Streams wipes a task's local state and restores it
     * from the changelog topics as of the last commit. The test driver has no restoration (and
     * deletes its state directory on close), so the test does that itself: the first driver's
     * changelog records are replayed into the stores of a new driver, whose processor starts with
     * nothing else. That the changelog and the updates commit in one transaction is Kafka's part, for
     * the broker integration test.
     */
    @Test
    void aRestartContinuesVersionsWithoutDuplicateOrGap(@TempDir Path referenceDir, @TempDir Path restartDir) {
        List<SpecificRecord> input = new ArrayList<>();
        List<LanguageSpec> enZh = List.of(new LanguageSpec("en", LanguageRole.PRIMARY, 0.7),
                new LanguageSpec("zh", LanguageRole.NEW, 0.3));
        input.add(Telemetry.run("run-1", 2, "exp3", Map.of("every", "2", "minSteps", "3", "maxChange", "0.02"), enZh));
        for (long s = 0; s < 40; s++) {
            for (int rank = 0; rank < 2; rank++) {
                input.add(Telemetry.step("run-1", rank, 2, s, Map.of("en", 2.0 + rank + s / 10.0, "zh", 4.0 - s / 20.0),
                        Map.of("en", 500L + rank, "zh", 300L), 0, Map.of()));
            }
            if (s % 10 == 9) {
                input.add(Telemetry.eval("run-1", 0, s, Map.of("en", 2.5, "zh", 3.5)));
            }
        }
        int cut = 44; // between rank 0 and rank 1 of step 20

        start(referenceDir);
        input.forEach(this::send);
        List<MixtureUpdate> reference = control.readValuesToList();
        driver.close();

        start(stateDir);
        input.subList(0, cut).forEach(this::send);
        List<MixtureUpdate> restarted = new ArrayList<>(control.readValuesToList());
        int beforeCut = restarted.size();
        TopologyTestDriver crashed = driver;
        start(restartDir);
        restoreChangelogs(crashed, driver);
        crashed.close();
        input.subList(cut, input.size()).forEach(this::send);
        restarted.addAll(control.readValuesToList());

        assertTrue(reference.size() > 5, "the input must make exp3 decide: " + reference.size());
        for (int i = 0; i < reference.size(); i++) {
            assertEquals(i + 1, reference.get(i).getVersion());
        }
        assertTrue(beforeCut > 0 && restarted.size() > beforeCut, "updates on both sides of the restart");
        assertEquals(reference, restarted);
    }

    /**
     * An excess-loss run reads its reference losses from a file when its controller is built. If the
     * file is gone when a restarted app rebuilds it, that run's signals are skipped; the app and the
     * other runs go on.
     */
    @Test
    void aRunWhosePolicyCannotBeRebuiltAfterARestartDoesNotStopTheOthers(@TempDir Path files,
            @TempDir Path restartDir) throws IOException {
        Path reference = files.resolve("reference.avro");
        try (DataFileWriter<Object> writer = TelemetryFile.openWriter(reference)) {
            writer.append(Telemetry.run("ref", 1, null, Map.of(), PYTHON_GO));
            for (long s = 0; s < 5; s++) {
                writer.append(Telemetry.step("ref", s, Map.of("python", 1.0, "go", 1.5), 0, Map.of()));
            }
        }
        start(stateDir);
        send(runs, Telemetry.run("x", 1, "excess-loss", Map.of("referenceRun", reference.toString()), PYTHON_GO));
        send(runs, Telemetry.run("y", 1, "schedule", Map.of("phases", "0:python=1;10:go=1", "every", "1"), PYTHON_GO));
        send(steps, Telemetry.step("x", 0, Map.of("python", 1.2, "go", 2.5), 0, Map.of()));
        send(steps, Telemetry.step("y", 0, Map.of("python", 1.2, "go", 2.5), 0, Map.of()));
        assertEquals(Set.of("x", "y"), control.readKeyValuesToList().stream().map(kv -> kv.key).collect(Collectors.toSet()));

        Files.delete(reference);
        TopologyTestDriver crashed = driver;
        start(restartDir);
        restoreChangelogs(crashed, driver);
        crashed.close();
        send(steps, Telemetry.step("x", 1, Map.of("python", 1.1, "go", 2.9), 1, Map.of()));
        send(steps, Telemetry.step("y", 1, Map.of("python", 1.1, "go", 2.9), 1, Map.of()));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<KeyValue<String, MixtureUpdate>> after = control.readKeyValuesToList();
        assertEquals(List.of("y"), after.stream().map(kv -> kv.key).toList());
        assertEquals(2, after.get(0).value.getVersion());
    }

    /** What a restarted client does before processing: every store gets its changelog's latest values. */
    private static void restoreChangelogs(TopologyTestDriver from, TopologyTestDriver to) {
        restore(from, to, ReweightingStores.RUNS, JsonSerde.of(FeedbackRun.class));
        restore(from, to, ReweightingStores.CONTROLLERS, Serdes.ByteArray());
        restore(from, to, ReweightingStores.STEP_PROGRESS, JsonSerde.of(StepProgress.class));
        restore(from, to, ReweightingStores.OPEN_STEPS, JsonSerde.of(OpenStep.class));
    }

    private static <V> void restore(TopologyTestDriver from, TopologyTestDriver to, String store, Serde<V> values) {
        TestOutputTopic<String, V> changelog = from.createOutputTopic("reweighting-test-" + store + "-changelog",
                new StringDeserializer(), values.deserializer());
        KeyValueStore<String, V> target = to.getKeyValueStore(store);
        List<KeyValue<String, V>> records = changelog.readKeyValuesToList();
        assertFalse(records.isEmpty(), store + " has a changelog");
        for (KeyValue<String, V> r : records) {
            if (r.value == null) {
                target.delete(r.key);
            } else {
                target.put(r.key, r.value);
            }
        }
    }

    // ---- bad input ---------------------------------------------------------------------------------

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndGoodRecordsAreStillProcessed() {
        start(stateDir);
        byte[] garbage = "not an avro record".getBytes(StandardCharsets.UTF_8);
        runs.pipeInput(key("run-1"), garbage);
        steps.pipeInput(key("run-1"), garbage);
        evals.pipeInput(key("run-1"), garbage);
        stages.pipeInput(key("run-1"), garbage);
        RunStarted unknown = Telemetry.run("run-1", 1, "nope", Map.of(), PYTHON_GO);
        send(runs, unknown);
        send(runs, Telemetry.run("run-2", 1, "schedule", Map.of("every", "5"), PYTHON_GO));
        send(steps, Telemetry.step("run-1", 2, 2, 0, Map.of("go", 1.0), Map.of(), 0, Map.of()));

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(7, dead.size(), dead.stream().map(ReweightingAppTest::reason).toList().toString());
        List<String> sources = List.of(Topics.RUNS.name(), Topics.TRAIN_STEPS.name(), Topics.EVAL_RESULTS.name(),
                Topics.STAGE_CHANGES.name());
        List<String> types = List.of("RunStarted", "TrainStep", "EvalResult", "StageChange");
        for (int i = 0; i < 4; i++) {
            assertTrue(reason(dead.get(i)).contains("cannot decode " + types.get(i)), reason(dead.get(i)));
            assertEquals(sources.get(i), DeadLetters.header(dead.get(i).headers(), Topics.DLQ_SOURCE_TOPIC));
            assertEquals("reweighting", DeadLetters.header(dead.get(i).headers(), Topics.DLQ_APP));
            assertArrayEquals(garbage, dead.get(i).value(), "original bytes kept");
            assertEquals("run-1", new String(dead.get(i).key(), StandardCharsets.UTF_8));
        }
        assertEquals("invalid RunStarted: unknown reweighting policy 'nope'; choose one of static, schedule, exp3, "
                + "excess-loss, babel-tower", reason(dead.get(4)));
        assertArrayEquals(AvroSerde.of(RunStarted.class).encode(unknown), dead.get(4).value());
        assertTrue(reason(dead.get(5)).contains("phases is required"), reason(dead.get(5)));
        assertTrue(reason(dead.get(6)).contains("rank 2 outside a world of 2"), reason(dead.get(6)));

        send(runs, Telemetry.run("run-1", 1, "static", Map.of("weights", "python=0.9,go=0.1"), PYTHON_GO));
        send(steps, Telemetry.step("run-1", 0, Map.of("python", Double.NaN, "go", 1.0), 0, Map.of()));
        MixtureUpdate update = control.readValue();
        assertEquals(1, update.getVersion());
        assertEquals(0.9, update.getWeights().get("python"), EPS);
        assertTrue(deadLetters.isEmpty(), "a NaN loss is dropped by the guardrails, not dead-lettered");

        ReweightingMetrics m = metrics();
        assertEquals(7, m.deadLetters());
        assertEquals(1, m.nonFiniteInputs());
        assertEquals(1, m.runsSteered());
    }

    // ---- topology ----------------------------------------------------------------------------------

    /**
     * One sub-topology reads all four runId-keyed inputs, so the task that owns partition p holds the
     * state of every run hashed to p: that needs equal partition counts and no repartition topic.
     */
    @Test
    void inputsAreCoPartitionedInOneSubTopologyWithExplicitNames() {
        assertEquals(3, Topics.RUNS.partitions());
        for (var topic : List.of(Topics.TRAIN_STEPS, Topics.EVAL_RESULTS, Topics.STAGE_CHANGES)) {
            assertEquals(Topics.RUNS.partitions(), topic.partitions(), topic.name());
        }
        TopologyDescription description = ReweightingApp.topology(CONFIG).describe();
        assertEquals(1, description.subtopologies().size(), description.toString());
        assertTrue(description.globalStores().isEmpty());
        TopologyDescription.Subtopology sub = description.subtopologies().iterator().next();

        Set<String> sources = new java.util.HashSet<>();
        Set<String> sinks = new java.util.HashSet<>();
        for (TopologyDescription.Node node : sub.nodes()) {
            assertFalse(node.name().startsWith("KSTREAM-") || node.name().startsWith("KTABLE-"),
                    "generated name " + node.name());
            if (node instanceof TopologyDescription.Source source) {
                sources.addAll(source.topicSet());
            }
            if (node instanceof TopologyDescription.Sink sink) {
                sinks.add(sink.topic());
            }
            if (node instanceof TopologyDescription.Processor p && p.name().equals(ReweightingApp.CONTROLLER)) {
                assertEquals(Set.of(ReweightingStores.ALL), p.stores());
            }
        }
        assertEquals(Set.of(Topics.RUNS.name(), Topics.TRAIN_STEPS.name(), Topics.EVAL_RESULTS.name(),
                Topics.STAGE_CHANGES.name()), sources);
        assertEquals(Set.of(Topics.MIXTURE_CONTROL.name(), Topics.DEAD_LETTER.name()), sinks);
        assertFalse(description.toString().contains("repartition"));
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static TrainStep rank(int rank, long step, double enLoss, long enTokens, Map<String, Double> inForce) {
        Map<String, Double> loss = new LinkedHashMap<>();
        loss.put("en", enLoss);
        return Telemetry.step("run-1", rank, 2, step, loss, Map.of("en", enTokens), 0, inForce);
    }

    private void send(SpecificRecord event) {
        if (event instanceof RunStarted r) {
            send(runs, r);
        } else if (event instanceof TrainStep s) {
            send(steps, s);
        } else if (event instanceof EvalResult e) {
            send(evals, e);
        } else {
            send(stages, (StageChange) event);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void send(TestInputTopic<byte[], byte[]> topic, T event) {
        String runId = String.valueOf(event.get(event.getSchema().getField("runId").pos()));
        topic.pipeInput(key(runId), AvroSerde.of((Class<T>) event.getClass()).encode(event));
    }

    private ReweightingMetrics metrics() {
        return ReweightingMetrics.from(driver.metrics());
    }

    private static byte[] key(String runId) {
        return runId.getBytes(StandardCharsets.UTF_8);
    }

    private static String reason(TestRecord<byte[], byte[]> record) {
        return DeadLetters.header(record.headers(), Topics.DLQ_REASON);
    }
}
