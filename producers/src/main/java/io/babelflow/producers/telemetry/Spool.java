package io.babelflow.producers.telemetry;

import io.babelflow.schemas.telemetry.TelemetryFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * An append-only, ordered local store of telemetry events that could not go to Kafka yet: a folder
 * of numbered {@link TelemetryFile} segments {@code spool-NNN.avro}. Events are appended to the open
 * segment; the sender {@link #rotate() rotates} it and replays closed segments oldest first, deleting
 * each only after Kafka acknowledged all of it. A segment can also be written in front of all others
 * ({@link #writeFirst}) for events that were in flight when the sink had to stop. Segments are plain
 * telemetry files, so {@code babelflow replay} reads a spool too.
 */
final class Spool implements AutoCloseable {
    private static final String PREFIX = "spool-";
    /** Numbering starts high so segments can be written in front of the first one. */
    private static final long FIRST = 1_000_000_000L;

    private final Path dir;
    private long nextNumber;
    private DataFileWriter<Object> writer;
    private Path current;
    private long currentRecords;
    private long records;

    Spool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            List<Path> existing = closedSegments();
            nextNumber = existing.isEmpty() ? FIRST : number(existing.get(existing.size() - 1)) + 1;
            for (Path segment : existing) {
                records += TelemetryFile.readAll(segment).size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open telemetry spool " + dir, e);
        }
    }

    synchronized void append(SpecificRecord event) {
        try {
            if (writer == null) {
                current = segmentPath(nextNumber++);
                writer = TelemetryFile.openWriter(current);
                currentRecords = 0;
            }
            writer.append(event);
            writer.flush(); // a crash of the trainer must not take spooled telemetry with it
            currentRecords++;
            records++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to telemetry spool " + dir, e);
        }
    }

    /** Closes the open segment so it can be replayed; new events start a new segment. */
    synchronized void rotate() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close spool segment " + current, e);
            }
            writer = null;
            current = null;
        }
    }

    /** Closed segments, oldest first. */
    synchronized List<Path> closedSegments() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && p.getFileName().toString().endsWith(TelemetryFile.EXTENSION))
                    .filter(p -> !p.equals(current))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list telemetry spool " + dir, e);
        }
    }

    /** Events of a segment, in order (a tail cut short by a crash is dropped by the reader). */
    List<SpecificRecord> read(Path segment) {
        return TelemetryFile.readAll(segment);
    }

    /** Deletes a segment whose events Kafka has acknowledged. */
    synchronized void delete(Path segment, int eventCount) {
        try {
            Files.deleteIfExists(segment);
            records -= eventCount;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete replayed spool segment " + segment, e);
        }
    }

    /** Writes events as a segment that replays before every other one. */
    synchronized void writeFirst(List<SpecificRecord> events) {
        if (events.isEmpty()) {
            return;
        }
        List<Path> existing = new ArrayList<>(closedSegments());
        if (current != null) {
            existing.add(current);
        }
        long number = existing.stream().mapToLong(Spool::number).min().orElse(nextNumber) - 1;
        Path segment = segmentPath(number);
        try (DataFileWriter<Object> first = TelemetryFile.openWriter(segment)) {
            for (SpecificRecord event : events) {
                first.append(event);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool segment " + segment, e);
        }
        records += events.size();
    }

    /** True when nothing is waiting: no closed segment and an empty (or no) open one. */
    synchronized boolean isEmpty() {
        return records == 0;
    }

    /** Events waiting in the spool. */
    synchronized long records() {
        return records;
    }

    /** Bytes of the spool's segments on disk. */
    synchronized long bytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        rotate();
    }

    private Path segmentPath(long number) {
        return dir.resolve(String.format("%s%012d%s", PREFIX, number, TelemetryFile.EXTENSION));
    }

    private static long number(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(PREFIX.length(), name.length() - TelemetryFile.EXTENSION.length()));
    }
}
