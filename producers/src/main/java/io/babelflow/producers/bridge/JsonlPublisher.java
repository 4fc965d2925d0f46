package io.babelflow.producers.bridge;

import io.babelflow.producers.telemetry.TelemetryRecords;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Publishes JSON-lines telemetry ({@link JsonEvents}) as Avro. A bad line is reported with its line
 * number and reason and counted; the lines after it are still published.
 */
public final class JsonlPublisher {
    private JsonlPublisher() {
    }

    /** Lines read, events published (acknowledged by Kafka) and lines rejected. */
    public record Result(long lines, long published, long rejected) {
    }

    public static Result publish(BufferedReader in, Producer<byte[], byte[]> producer, PrintWriter err)
            throws IOException {
        long lineNo = 0;
        long rejected = 0;
        AtomicLong published = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            SpecificRecord event;
            try {
                event = JsonEvents.parse(line);
            } catch (JsonEvents.BadEventException e) {
                err.println("line " + lineNo + ": " + e.getMessage());
                rejected++;
                continue;
            }
            long n = lineNo;
            producer.send(TelemetryRecords.toRecord(event), (metadata, error) -> {
                if (error == null) {
                    published.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    err.println("line " + n + ": Kafka refused it: " + error.getMessage());
                }
            });
        }
        producer.flush();
        err.flush();
        return new Result(lineNo, published.get(), rejected + failed.get());
    }
}
