package io.babelflow.producers.bridge;

import io.babelflow.producers.telemetry.TelemetryRecords;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.TimeoutException;
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

    /**
     * Publishes every good line; a bad line is reported by number and skipped. When Kafka does not
     * answer (a send times out waiting for the broker) it stops at once, reporting the lines left
     * unpublished, instead of waiting the producer's block time once per line.
     */
    public static Result publish(BufferedReader in, Producer<byte[], byte[]> producer, PrintWriter err)
            throws IOException {
        long lineNo = 0;
        long rejected = 0;
        AtomicLong published = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> unreachable = new AtomicReference<>();
        String line;
        while (unreachable.get() == null && (line = in.readLine()) != null) {
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
            try {
                producer.send(TelemetryRecords.toRecord(event), (metadata, error) -> {
                    if (error == null) {
                        published.incrementAndGet();
                    } else if (error instanceof TimeoutException && unreachable.compareAndSet(null, error.getMessage())) {
                        failed.incrementAndGet(); // the broker is away: the loop stops after this line
                    } else {
                        failed.incrementAndGet();
                        err.println("line " + n + ": Kafka refused it: " + error.getMessage());
                    }
                });
            } catch (TimeoutException e) {
                unreachable.compareAndSet(null, e.getMessage());
                failed.incrementAndGet();
            }
        }
        if (unreachable.get() != null) {
            long left = 0;
            while (in.readLine() != null) {
                left++;
            }
            err.println("line " + lineNo + ": Kafka did not answer (" + unreachable.get() + "); stopped: line "
                    + lineNo + " and the " + left + " lines after it were not published");
            rejected += left;
        } else {
            producer.flush();
        }
        err.flush();
        return new Result(lineNo, published.get(), rejected + failed.get());
    }
}
