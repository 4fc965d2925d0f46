package io.babelflow.producers.telemetry;

import io.babelflow.schemas.telemetry.TelemetryFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
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
    /** The segment being replayed, until Kafka acknowledged all of it, and its events not handed over yet. */
    private Path replaying;
    private int replayingCount;
    private final ArrayDeque<SpecificRecord> replayTail = new ArrayDeque<>();

    Spool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            List<Path> existing = closedSegments();
            for (Path segment : existing) {
                if (!readable(segment)) {
                    // created, then the process died before its header was whole: it holds no event
                    Files.move(segment, segment.resolveSibling(segment.getFileName() + ".unreadable"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            existing = closedSegments();
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

    private static boolean readable(Path segment) {
        try {
            TelemetryFile.readAll(segment);
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Forces the open segment to disk: what was appended survives a power loss, not only a crash. */
    synchronized void sync() {
        if (writer != null) {
            try {
                writer.fSync();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sync telemetry spool " + current, e);
            }
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

    /**
     * The next event to replay: from the segment being replayed, or else from the oldest closed
     * segment (the open one is closed first). Null when the segment being replayed is all handed
     * over, or nothing is spooled.
     */
    synchronized SpecificRecord nextToReplay() {
        if (replaying == null) {
            rotate();
            List<Path> segments = closedSegments();
            if (segments.isEmpty()) {
                return null;
            }
            replaying = segments.get(0);
            List<SpecificRecord> events = read(replaying);
            replayingCount = events.size();
            replayTail.addAll(events);
        }
        return replayTail.pollFirst();
    }

    /** True when a segment is being replayed and all of its events were handed over. */
    synchronized boolean replayHandedOver() {
        return replaying != null && replayTail.isEmpty();
    }

    /** The events of the segment being replayed not handed over yet, oldest first. */
    synchronized List<SpecificRecord> replayTail() {
        return List.copyOf(replayTail);
    }

    /** Deletes the segment being replayed: Kafka acknowledged its events, or they were written again first. */
    synchronized void endReplay() {
        if (replaying != null) {
            delete(replaying, replayingCount);
            replaying = null;
            replayTail.clear();
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

    /**
     * Writes events as a segment that replays before every other one, on disk (synced) before it
     * appears under its name: a crash leaves it whole or absent.
     */
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
        writeSynced(segment, events);
        records += events.size();
    }

    /**
     * Drops the spooled events {@code discard} selects, e.g. those a resumed run will emit again;
     * call it before a sink opens the spool. Returns how many were dropped.
     */
    static long discard(Path dir, Predicate<SpecificRecord> discard) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Spool spool = new Spool(dir);
        long dropped = 0;
        for (Path segment : spool.closedSegments()) {
            List<SpecificRecord> events = spool.read(segment);
            List<SpecificRecord> kept = events.stream().filter(discard.negate()).toList();
            if (kept.size() == events.size()) {
                continue;
            }
            dropped += events.size() - kept.size();
            try {
                if (kept.isEmpty()) {
                    Files.delete(segment);
                } else {
                    writeSynced(segment, kept);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite spool segment " + segment, e);
            }
        }
        return dropped;
    }

    private static void writeSynced(Path segment, List<SpecificRecord> events) {
        Path tmp = segment.resolveSibling(".tmp-" + segment.getFileName());
        try {
            Files.deleteIfExists(tmp);
            try (DataFileWriter<Object> out = TelemetryFile.openWriter(tmp)) {
                for (SpecificRecord event : events) {
                    out.append(event);
                }
                out.fSync();
            }
            Files.move(tmp, segment, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool segment " + segment, e);
        }
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
