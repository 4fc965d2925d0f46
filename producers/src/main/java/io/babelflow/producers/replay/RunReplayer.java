package io.babelflow.producers.replay;

import io.babelflow.producers.telemetry.TelemetryRecords;
import io.babelflow.schemas.telemetry.TelemetryFile;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Publishes a recorded run (a trainer's telemetry file or a sink's spool segment) to Kafka with its
 * original run ids and sequence numbers, so a finished run can be analysed again with new Streams
 * logic or a new policy.
 */
public final class RunReplayer {
    private RunReplayer() {
    }

    /** Events read, acknowledged, failed; bytes at the end of the file that could not be read. */
    public record Result(long events, long published, long failed, long unreadableTailBytes) {
    }

    public static Result replay(Path file, Producer<byte[], byte[]> producer, LongConsumer progress) {
        AtomicLong events = new AtomicLong();
        AtomicLong published = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long tail = TelemetryFile.read(file, event -> {
            producer.send(TelemetryRecords.toRecord(event), (metadata, error) -> {
                if (error == null) {
                    published.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
            long n = events.incrementAndGet();
            if (n % 1000 == 0) {
                progress.accept(n);
            }
        });
        producer.flush();
        return new Result(events.get(), published.get(), failed.get(), tail);
    }
}
