package io.babelflow.schemas.telemetry;

import io.babelflow.schemas.Events;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * A run's telemetry as one Avro container file whose schema is the union of the telemetry event
 * types, in emission order. The trainer's file sink writes it, a Kafka sink's spool uses it, and
 * {@code babelflow replay} and {@code babelflow policy backtest} read it.
 */
public final class TelemetryFile {
    public static final String EXTENSION = ".avro";

    private TelemetryFile() {
    }

    /** Opens a writer; appends when the file exists (e.g. after a resume), creates it otherwise. */
    public static DataFileWriter<Object> openWriter(Path file) throws IOException {
        Schema union = Events.telemetryUnion();
        DataFileWriter<Object> writer = new DataFileWriter<>(new SpecificDatumWriter<>(union));
        if (Files.exists(file) && Files.size(file) > 0) {
            return writer.appendTo(file.toFile());
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        writer.setCodec(CodecFactory.deflateCodec(1));
        return writer.create(union, file.toFile());
    }

    /**
     * Reads every event in order and hands it to {@code consumer}. A file cut short by a crash ends
     * at its last whole block: the events before it are delivered, and the returned value says
     * how many trailing bytes could not be read (0 for an intact file).
     */
    public static long read(Path file, Consumer<SpecificRecord> consumer) {
        SpecificDatumReader<Object> datumReader = new SpecificDatumReader<>(Events.telemetryUnion());
        try (DataFileReader<Object> reader = new DataFileReader<>(file.toFile(), datumReader)) {
            long lastWholeBlockEnd = reader.previousSync();
            try {
                while (reader.hasNext()) {
                    consumer.accept((SpecificRecord) reader.next());
                    lastWholeBlockEnd = reader.previousSync();
                }
                // Avro's reader treats a truncated last block as the end of the file
                // (EOF inside it); the last sync marker read tells where the whole blocks end
                return Files.size(file) - reader.previousSync();
            } catch (org.apache.avro.AvroRuntimeException e) {
                return Files.size(file) - lastWholeBlockEnd;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read telemetry file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every event of the file, in order. */
    public static List<SpecificRecord> readAll(Path file) {
        List<SpecificRecord> events = new ArrayList<>();
        read(file, events::add);
        return events;
    }
}
