package io.babelflow.trainer.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Hands out a run's telemetry sequence numbers so that no number is ever given to two events, even
 * across a crash and resume: before a number is used, a block of numbers above it is reserved in a
 * file, synced and renamed into place. A resumed run starts above the reservation of every earlier
 * attempt (numbers may jump there), so an event a killed attempt published after its last checkpoint
 * keeps a number that nothing else will carry. A clean stop gives back the unused part of the block,
 * so a run stopped and resumed on purpose numbers on without a gap.
 */
final class SequenceReservation {
    static final String FILE = "sequence-reserved";
    private static final long BLOCK = 1024;

    private final Path file;
    private long next;
    private long reservedUpTo;

    /** Continues a run: from {@code checkpointNext}, or above what an earlier attempt reserved. */
    SequenceReservation(Path file, long checkpointNext) {
        this.file = file;
        this.next = Math.max(checkpointNext, read(file));
        this.reservedUpTo = next;
    }

    /** Number the next event gets. */
    long peek() {
        return next;
    }

    /** The next number, reserved durably before it is handed out. */
    long take() {
        if (next >= reservedUpTo) {
            reservedUpTo = next + BLOCK;
            write(reservedUpTo);
        }
        return next++;
    }

    /** After a clean stop: nothing above {@link #peek()} was used, so a resume may continue right there. */
    void release() {
        reservedUpTo = next;
        write(next);
    }

    static long read(Path file) {
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("cannot read the sequence reservation " + file,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    private void write(long value) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve telemetry sequence numbers in " + file, e);
        }
    }
}
