package io.babelflow.schemas.telemetry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificRecord;

/** Writes a run's telemetry to a local {@link TelemetryFile}: the default sink, no Kafka needed. */
public final class FileTelemetrySink implements TelemetrySink {
    private final Path file;
    private final DataFileWriter<Object> writer;
    private long written;

    public FileTelemetrySink(Path file) {
        this.file = file;
        try {
            this.writer = TelemetryFile.openWriter(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open telemetry file " + file, e);
        }
    }

    @Override
    public synchronized void emit(SpecificRecord event) {
        try {
            writer.append(event);
            written++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write telemetry to " + file, e);
        }
    }

    @Override
    public synchronized void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush telemetry file " + file, e);
        }
    }

    public synchronized long written() {
        return written;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close telemetry file " + file, e);
        }
    }
}
