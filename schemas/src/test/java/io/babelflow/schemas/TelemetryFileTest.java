package io.babelflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.babelflow.schemas.telemetry.FileTelemetrySink;
import io.babelflow.schemas.telemetry.TelemetryFile;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryFileTest {
    @TempDir
    Path dir;

    private static List<SpecificRecord> telemetry() {
        return SampleEvents.all().stream().filter(e -> Events.TELEMETRY.contains(e.getClass())).toList();
    }

    @Test
    void writesEveryTelemetryTypeInOrderAndAppendsAfterReopen() {
        Path file = dir.resolve("run/telemetry.avro");
        List<SpecificRecord> events = telemetry();
        try (FileTelemetrySink sink = new FileTelemetrySink(file)) {
            events.subList(0, 3).forEach(sink::emit);
        }
        try (FileTelemetrySink sink = new FileTelemetrySink(file)) { // a resumed run appends
            events.subList(3, events.size()).forEach(sink::emit);
        }
        assertEquals(events, TelemetryFile.readAll(file));
        assertEquals(0, TelemetryFile.read(file, e -> { }));
    }

    @Test
    void aFileCutShortByACrashYieldsItsWholeBlocks() throws Exception {
        Path file = dir.resolve("crashed.avro");
        List<SpecificRecord> events = telemetry();
        try (FileTelemetrySink sink = new FileTelemetrySink(file)) {
            events.subList(0, 2).forEach(sink::emit);
            sink.flush(); // one whole block on disk
            events.subList(2, events.size()).forEach(sink::emit);
        }
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size - 5);
        }
        List<SpecificRecord> read = new ArrayList<>();
        long unreadable = TelemetryFile.read(file, read::add);
        assertEquals(true, unreadable > 0, "unreadable tail reported");
        assertEquals(events.subList(0, 2), read);
    }
}
