package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.trainer.FixtureCorpus;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;
    Path corpus;
    Path config;

    @BeforeEach
    void fixture() {
        corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        config = FixtureCorpus.tinyConfig(tmp.resolve("cfg"));
    }

    @Test
    void trainsOnAThreadOtherThanTheOneThatLoadedTheEngine() throws Exception {
        // PyTorch's grad mode is per thread: the engine turns it off where it is loaded, and a fresh
        // thread starts with it on
        ai.djl.engine.Engine.getInstance();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                outcome.set(Trainer.run(options(tmp.resolve("threaded")).steps(5).build()));
            } catch (RuntimeException | Error e) {
                outcome.set(e);
            }
        });
        worker.start();
        worker.join();
        assertTrue(outcome.get() instanceof RunResult, "trained on another thread: " + outcome.get());
        assertEquals(4, ((RunResult) outcome.get()).lastStep());
    }

    @Test
    void lossDecreasesAndEveryEventIsPublished() {
        List<Progress> lines = new ArrayList<>();
        RunResult result = Trainer.run(options(tmp.resolve("run")).progress(lines::add).build());
        assertEquals("completed", result.reason());
        assertEquals(59, result.lastStep());
        assertEquals(6, lines.size(), "one status line per 10 steps");

        List<SpecificRecord> events = TelemetryFile.readAll(tmp.resolve("run/telemetry.avro"));
        assertSequenceIsContiguous(events);
        List<TrainStep> steps = ofType(events, TrainStep.class);
        assertEquals(60, steps.size());
        double first = steps.subList(0, 5).stream().mapToDouble(TrainStep::getLoss).average().orElseThrow();
        double last = steps.subList(55, 60).stream().mapToDouble(TrainStep::getLoss).average().orElseThrow();
        assertTrue(first > 5.0, "an untrained byte model is near ln 256 = 5.55, got " + first);
        assertTrue(last < first - 1.5, "loss should fall well below " + first + ", got " + last);

        // python alone until the phase at step 30, then both languages
        assertEquals(List.of("python"), List.copyOf(steps.get(29).getLanguageLoss().keySet()));
        assertEquals(0.5, steps.get(30).getMixtureWeights().get("go"), 1e-12);
        assertEquals(0L, steps.get(30).getMixtureVersion());

        // TRAIN statistics: 6 windows x 2 layers; HELDOUT: 2 eval points x 2 layers
        List<ActivationStats> stats = ofType(events, ActivationStats.class);
        List<ActivationStats> train = stats.stream().filter(s -> s.getSource() == StatsSource.TRAIN).toList();
        assertEquals(12, train.size());
        ActivationStats window = train.get(2);
        assertEquals(10L, window.getWindowStart());
        assertEquals(19L, window.getWindowEnd());
        assertEquals(List.of(10L * 8 * 64, 0L), window.getTokens(), "10 steps x 8 sequences x 64 tokens, all python");
        assertEquals(2 * 256, PackedFloats.unpack(window.getActiveCounts()).length);
        assertEquals(4, stats.stream().filter(s -> s.getSource() == StatsSource.HELDOUT).count());

        List<EvalResult> evals = ofType(events, EvalResult.class);
        assertEquals(List.of(29L, 59L), evals.stream().map(EvalResult::getStep).toList());
        assertTrue(evals.get(1).getLanguageLoss().get("python") < Math.log(256));
        List<WorkingLanguage> lens = ofType(events, WorkingLanguage.class);
        assertEquals(4, lens.size());
        assertEquals(5, lens.get(0).getReadings().get(0).getPrompts(), "the fixture's 6th prompt is skipped");

        RunStarted started = ofType(events, RunStarted.class).get(0);
        assertTrue(started.getConfig().contains("dModel: 64"));
        assertEquals(2, started.getLanguages().size());
        assertEquals("completed", ofType(events, RunEnded.class).get(0).getReason());
        assertTrue(Files.exists(tmp.resolve("run").resolve(Trainer.CONFIG_FILE)));
    }

    @Test
    void interruptedAndResumedRunMatchesAnUninterruptedOne() {
        Trainer.run(options(tmp.resolve("straight")).steps(40).build());

        AtomicReference<Trainer> first = new AtomicReference<>();
        first.set(new Trainer(options(tmp.resolve("resumed")).steps(40).progress(p -> {
            if (p.step() == 19) {
                first.get().requestStop(); // as the SIGTERM hook does
            }
        }).build()));
        RunResult interrupted = first.get().run();
        assertEquals("interrupted", interrupted.reason());
        assertEquals(19, interrupted.lastStep());

        RunResult resumed = Trainer.run(TrainOptions.builder(corpus, tmp.resolve("resumed")).resume(true).steps(40)
                .stopOnSignal(false).build());
        assertEquals(20, resumed.firstStep());
        assertEquals(interrupted.runId(), resumed.runId());

        List<SpecificRecord> straight = TelemetryFile.readAll(tmp.resolve("straight/telemetry.avro"));
        List<SpecificRecord> split = TelemetryFile.readAll(tmp.resolve("resumed/telemetry.avro"));
        assertSequenceIsContiguous(split);
        List<TrainStep> a = ofType(straight, TrainStep.class);
        List<TrainStep> b = ofType(split, TrainStep.class);
        assertEquals(40, b.size());
        for (int i = 0; i < 40; i++) {
            assertEquals(i, b.get(i).getStep(), "steps continue without gaps or repeats");
            assertEquals(a.get(i).getLoss(), b.get(i).getLoss(), 1e-6, "loss at step " + i);
            assertEquals(a.get(i).getLanguageLoss(), b.get(i).getLanguageLoss(), "per-language loss at step " + i);
        }
        List<ActivationStats> sa = ofType(straight, ActivationStats.class);
        List<ActivationStats> sb = ofType(split, ActivationStats.class);
        assertEquals(sa.size(), sb.size());
        for (int i = 0; i < sa.size(); i++) {
            assertEquals(sa.get(i).getWindowStart(), sb.get(i).getWindowStart());
            assertEquals(sa.get(i).getTokens(), sb.get(i).getTokens());
            assertArrayEquals(PackedFloats.unpack(sa.get(i).getActiveCounts()),
                    PackedFloats.unpack(sb.get(i).getActiveCounts()), 0f, "window ending " + sa.get(i).getWindowEnd());
        }
        List<RunStarted> starts = ofType(split, RunStarted.class);
        assertEquals(List.of(0L, 20L), starts.stream().map(RunStarted::getStartStep).toList());
        assertEquals(List.of("interrupted", "completed"), ofType(split, RunEnded.class).stream().map(RunEnded::getReason).toList());
    }

    @Test
    void missingOrEmptyCorpusIsRejectedBeforeAnythingIsWritten() throws IOException {
        Path run = tmp.resolve("run");
        var missing = assertThrows(InvalidInputException.class,
                () -> new Trainer(TrainOptions.builder(tmp.resolve("nope"), run).config(config).build()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        var none = assertThrows(InvalidInputException.class,
                () -> new Trainer(TrainOptions.builder(empty, run).config(config).build()));
        assertTrue(none.getMessage().contains("corpus.json"), none.getMessage());
        assertFalse(Files.exists(run));
    }

    @Test
    void unknownLanguageAndBadWeightsAreRejected() throws IOException {
        assertRejected(yaml().replace("id: go, role: NEW", "id: rust, role: NEW"), "rust");
        assertRejected(yaml().replace("{id: go, role: NEW, weight: 0.0}", "{id: go, role: NEW, weight: -0.5}"), "negative");
        assertRejected(yaml().replace("{id: go, role: NEW, weight: 0.0}", "{id: go, role: NEW, weight: .nan}"),
                "languages[1].weight");
        assertRejected(yaml().replace("{id: python, role: PRIMARY, weight: 1.0}", "{id: python, role: PRIMARY, weight: 0}"),
                "sum to 0");
        assertRejected(yaml().replace("weights: {python: 0.5, go: 0.5}", "weights: {python: 0.5, cpp: 0.5}"), "cpp");
        assertRejected(yaml().replace("  heads: 4\n", ""), "heads");
    }

    @Test
    void checkpointOfAnotherModelShapeIsRejected() throws IOException {
        Path run = tmp.resolve("run");
        Trainer.run(options(run).steps(2).build());
        long telemetryBytes = Files.size(run.resolve(Trainer.TELEMETRY_FILE));
        Path wider = Files.writeString(tmp.resolve("wider.yaml"), yaml().replace("dModel: 64", "dModel: 32"));
        var e = assertThrows(InvalidInputException.class, () -> new Trainer(TrainOptions.builder(corpus, run)
                .config(wider).resume(true).steps(4).build()));
        assertTrue(e.getMessage().contains("dModel=64") && e.getMessage().contains("dModel=32"), e.getMessage());
        assertEquals(telemetryBytes, Files.size(run.resolve(Trainer.TELEMETRY_FILE)));
    }

    @Test
    void aFreshRunRefusesAFolderThatHoldsARun() {
        Path run = tmp.resolve("run");
        Trainer.run(options(run).steps(1).build());
        var e = assertThrows(InvalidInputException.class, () -> new Trainer(options(run).steps(1).build()));
        assertTrue(e.getMessage().contains("already holds a run"), e.getMessage());
    }

    // --- helpers ---

    private TrainOptions.Builder options(Path run) {
        return TrainOptions.builder(corpus, run).config(config).stopOnSignal(false).progress(p -> { });
    }

    private String yaml() throws IOException {
        return Files.readString(config);
    }

    private void assertRejected(String yaml, String expected) throws IOException {
        Path file = Files.writeString(tmp.resolve("bad.yaml"), yaml);
        Path run = tmp.resolve("bad-run");
        var e = assertThrows(InvalidInputException.class,
                () -> new Trainer(TrainOptions.builder(corpus, run).config(file).build()));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention " + expected);
        assertFalse(Files.exists(run), "nothing may be written for a rejected run");
    }

    private static void assertSequenceIsContiguous(List<SpecificRecord> events) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals((long) i, sequenceOf(events.get(i)), "sequence of event " + i + " " + events.get(i).getClass());
        }
    }

    private static long sequenceOf(SpecificRecord event) {
        try {
            Method m = event.getClass().getMethod("getSequence");
            return (Long) m.invoke(event);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> List<T> ofType(List<SpecificRecord> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
