package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.RunStarted;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.trainer.FixtureCorpus;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fork starts a new run from another run's checkpoint (the Babel Tower arms share their Python-only phase). */
class ForkTest {
    /** One parent run for all tests (training it is the slow part). */
    @TempDir
    static Path tmp;
    static Path corpus;
    static Path config;
    static Path parent;
    static String parentRunId;

    @BeforeAll
    static void parentRun() {
        corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        config = FixtureCorpus.tinyConfig(tmp.resolve("cfg"));
        parent = tmp.resolve("parent");
        // tiny.yaml: checkpoints at step 30 and (the run's end) 40
        parentRunId = Trainer.run(options(parent, config).steps(40).build()).runId();
    }

    @Test
    void aForkIsANewRunThatContinuesFromTheParentsCheckpoint() throws IOException {
        Path goHeavy = Files.writeString(tmp.resolve("go-heavy.yaml"), Files.readString(config)
                .replace("weights: {python: 0.5, go: 0.5}", "weights: {python: 0.2, go: 0.8}"));
        Path fork = tmp.resolve("fork-a");
        RunResult result = Trainer.run(options(fork, goHeavy).steps(40).forkFrom(parent, 30).build());
        assertNotEquals(parentRunId, result.runId());
        assertEquals(30, result.firstStep());
        assertEquals(39, result.lastStep());

        List<SpecificRecord> events = TelemetryFile.readAll(fork.resolve(Trainer.TELEMETRY_FILE));
        for (int i = 0; i < events.size(); i++) {
            assertEquals((long) i, sequenceOf(events.get(i)), "a fork numbers its own events from 0");
        }
        RunStarted started = (RunStarted) events.get(0);
        assertEquals(result.runId(), started.getRunId());
        assertEquals(parentRunId, started.getParentRunId());
        assertEquals(30L, started.getForkStep());
        assertEquals(30L, started.getStartStep());

        List<TrainStep> steps = ofType(events, TrainStep.class);
        assertEquals(30L, steps.get(0).getStep());
        assertEquals(0.8, steps.get(0).getMixtureWeights().get("go"), 1e-12, "the fork's own mixture is in force");
        // the parent's weights were restored: an untrained byte model starts near ln 256 = 5.55
        assertTrue(steps.get(0).getLoss() < 4.5, "fork starts from trained weights, loss " + steps.get(0).getLoss());

        RunStarted parentStart = ofType(TelemetryFile.readAll(parent.resolve(Trainer.TELEMETRY_FILE)), RunStarted.class).get(0);
        assertNull(parentStart.getParentRunId());
        assertNull(parentStart.getForkStep());
    }

    @Test
    void aResumedForkStillNamesItsParent() {
        Path fork = tmp.resolve("fork-b");
        Trainer.run(options(fork, config).steps(40).forkFrom(parent, 30).build());
        // continue the completed fork for 10 more steps from its own final checkpoint
        RunResult resumed = Trainer.run(TrainOptions.builder(corpus, fork).resume(true).steps(50).stopOnSignal(false)
                .progress(p -> { }).build());
        List<RunStarted> starts = ofType(TelemetryFile.readAll(fork.resolve(Trainer.TELEMETRY_FILE)), RunStarted.class);
        assertEquals(2, starts.size());
        assertEquals(starts.get(0).getRunId(), resumed.runId());
        for (RunStarted s : starts) {
            assertEquals(parentRunId, s.getParentRunId());
            assertEquals(30L, s.getForkStep());
        }
    }

    @Test
    void aMissingCheckpointIsRejectedListingTheStepsThatExist() {
        Path fork = tmp.resolve("fork-c");
        var e = assertThrows(InvalidInputException.class,
                () -> new Trainer(options(fork, config).steps(40).forkFrom(parent, 10).build()));
        assertTrue(e.getMessage().contains("no checkpoint at step 10") && e.getMessage().contains("[30, 40]"), e.getMessage());
        assertFalse(Files.exists(fork));
    }

    @Test
    void anotherModelShapeIsRejectedNamingTheDifference() throws IOException {
        Path narrower = Files.writeString(tmp.resolve("narrow.yaml"), Files.readString(config).replace("dModel: 64", "dModel: 32"));
        Path fork = tmp.resolve("fork-d");
        var e = assertThrows(InvalidInputException.class,
                () -> new Trainer(options(fork, narrower).steps(40).forkFrom(parent, 30).build()));
        assertTrue(e.getMessage().contains("model.dModel=64 but model.dModel=32"), e.getMessage());
        assertFalse(Files.exists(fork));
    }

    @Test
    void aForkMustRunPastItsForkStep() {
        var e = assertThrows(InvalidInputException.class,
                () -> new Trainer(options(tmp.resolve("fork-e"), config).steps(30).forkFrom(parent, 30).build()));
        assertTrue(e.getMessage().contains("run.steps must exceed the fork step"), e.getMessage());
    }

    private static TrainOptions.Builder options(Path run, Path runConfig) {
        return TrainOptions.builder(corpus, run).config(runConfig).stopOnSignal(false).progress(p -> { });
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
