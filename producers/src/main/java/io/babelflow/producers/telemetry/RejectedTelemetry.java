package io.babelflow.producers.telemetry;

import io.babelflow.schemas.telemetry.TelemetryFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Events Kafka refused for good (e.g. larger than the topic allows), kept in {@code rejected.avro}. */
final class RejectedTelemetry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RejectedTelemetry.class);

    private final Path file;
    private DataFileWriter<Object> writer;
    private long count;

    RejectedTelemetry(Path file) {
        this.file = file;
    }

    synchronized void keep(SpecificRecord event, Exception error) {
        count++;
        LOG.error("Kafka rejected a {} for good ({}); kept in {}", event.getSchema().getName(), error.getMessage(), file);
        try {
            if (writer == null) {
                writer = TelemetryFile.openWriter(file);
            }
            writer.append(event);
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep rejected telemetry in " + file, e);
        }
    }

    synchronized long count() {
        return count;
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warn("cannot close {}", file, e);
            }
        }
    }
}
