package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.RunStarted;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.telemetry.TelemetrySink;
import io.babelflow.trainer.FixtureCorpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that dies after its checkpoint and is resumed never gives one (run, rank, sequence) to two events. */
class ResumeSequenceTest {
    @TempDir
    Path tmp;

    /** Keeps what it is given; "dies" (throws) when handed the TrainStep of {@code crashAtStep}. */
    static final class RecordingSink implements TelemetrySink {
        final List<SpecificRecord> events = new ArrayList<>();
        private final long crashAtStep;

        RecordingSink(long crashAtStep) {
            this.crashAtStep = crashAtStep;
        }

        @Override
        public void emit(SpecificRecord event) {
            if (event instanceof TrainStep step && step.getStep() == crashAtStep) {
                throw new IllegalStateException("process killed");
            }
            events.add(event);
        }

        @Override
        public void close() {
        }
    }

    private static long sequence(SpecificRecord e) {
        return ((Number) e.get(e.getSchema().getField("sequence").pos())).longValue();
    }

    /** What an event is about: its type and, for a step, which step. */
    private static String content(SpecificRecord e) {
        return e instanceof TrainStep s ? "TrainStep " + s.getStep() : e.getSchema().getName();
    }

    @Test
    void aResumedRunNeverReusesTheNumbersOfTheAttemptItReplaces() {
        Path corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        Path config = FixtureCorpus.tinyConfig(tmp.resolve("cfg"));
        Path run = tmp.resolve("run");
        RecordingSink killed = new RecordingSink(35); // checkpoint at step 30 (checkpoint.every: 30), dies in step 35
        assertThrows(IllegalStateException.class, () -> Trainer.run(TrainOptions.builder(corpus, run).config(config)
                .steps(40).sink(killed).stopOnSignal(false).build()));
        RecordingSink resumed = new RecordingSink(-1);
        Trainer.run(TrainOptions.builder(corpus, run).resume(true).steps(40).sink(resumed).stopOnSignal(false).build());

        Map<Long, String> bySequence = new HashMap<>();
        List<SpecificRecord> all = new ArrayList<>(killed.events);
        all.addAll(resumed.events);
        for (SpecificRecord e : all) {
            String before = bySequence.putIfAbsent(sequence(e), content(e));
            assertTrue(before == null, "sequence " + sequence(e) + " names both " + before + " and " + content(e));
        }
        RunStarted restart = (RunStarted) resumed.events.get(0);
        assertEquals(30, restart.getStartStep());
        long lastOfKilled = killed.events.stream().mapToLong(ResumeSequenceTest::sequence).max().orElseThrow();
        assertTrue(restart.getSequence() > lastOfKilled, "the resumed attempt numbers above every earlier one");
        List<Long> resumedSequences = resumed.events.stream().map(ResumeSequenceTest::sequence).toList();
        for (int i = 1; i < resumedSequences.size(); i++) {
            assertEquals(resumedSequences.get(i - 1) + 1, resumedSequences.get(i), "contiguous within an attempt");
        }
    }
}
