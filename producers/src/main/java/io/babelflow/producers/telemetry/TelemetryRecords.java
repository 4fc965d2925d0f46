package io.babelflow.producers.telemetry;

import io.babelflow.events.ActivationStats;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Maps a telemetry event to its Kafka record: topic from the registry, key runId (runId/layer for activations). */
public final class TelemetryRecords {
    private TelemetryRecords() {
    }

    @SuppressWarnings("unchecked")
    public static ProducerRecord<byte[], byte[]> toRecord(SpecificRecord event) {
        Topic<String, SpecificRecord> topic = Topics.forEvent((Class<SpecificRecord>) event.getClass());
        String runId = runId(event);
        String key = event instanceof ActivationStats stats ? Topics.activationKey(runId, stats.getLayer()) : runId;
        return new ProducerRecord<>(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), event));
    }

    /** The runId every telemetry event carries. */
    public static String runId(SpecificRecord event) {
        return String.valueOf(event.get(event.getSchema().getField("runId").pos()));
    }

    /** The per-(run, rank) sequence number every telemetry event carries. */
    public static long sequence(SpecificRecord event) {
        return ((Number) event.get(event.getSchema().getField("sequence").pos())).longValue();
    }

    /** Rough in-memory size of an event, for the sink's byte-bounded queue. */
    static long sizeOf(SpecificRecord event) {
        if (event instanceof ActivationStats stats) {
            return 256L + stats.getActiveCounts().remaining() + stats.getActivationSums().remaining();
        }
        return 512;
    }
}
