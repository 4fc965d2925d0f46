package io.babelflow.producers.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.EvalResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    private static EvalResult event(long seq) {
        return EvalResult.newBuilder().setRunId("r").setSequence(seq).setStep(seq).setTimestamp(Instant.EPOCH)
                .setLanguageLoss(Map.of("go", 1.0)).setLanguageTokens(Map.of("go", 1L)).build();
    }

    private List<Long> replayAll(Spool spool) {
        List<Long> seqs = new ArrayList<>();
        spool.rotate();
        for (Path segment : spool.closedSegments()) {
            for (SpecificRecord e : spool.read(segment)) {
                seqs.add(((EvalResult) e).getSequence());
            }
        }
        return seqs;
    }

    @Test
    void keepsOrderAcrossSegmentsAndSegmentsWrittenFirst() {
        Spool spool = new Spool(dir);
        spool.append(event(3));
        spool.append(event(4));
        spool.rotate();
        spool.append(event(5));
        spool.writeFirst(List.of(event(1), event(2)));
        assertEquals(5, spool.records());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), replayAll(spool));
    }

    @Test
    void aReopenedSpoolFindsItsEventsAndContinuesTheNumbering() {
        Spool first = new Spool(dir);
        first.append(event(1));
        first.close();
        Spool second = new Spool(dir);
        assertEquals(1, second.records());
        second.append(event(2));
        assertEquals(List.of(1L, 2L), replayAll(second));
    }

    @Test
    void deletingAReplayedSegmentEmptiesTheSpool() {
        Spool spool = new Spool(dir);
        spool.append(event(1));
        spool.rotate();
        Path segment = spool.closedSegments().get(0);
        spool.delete(segment, 1);
        assertTrue(spool.isEmpty());
        assertTrue(spool.closedSegments().isEmpty());
    }
}
