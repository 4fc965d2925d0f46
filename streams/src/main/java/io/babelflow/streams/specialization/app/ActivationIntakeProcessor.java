package io.babelflow.streams.specialization.app;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.StatsSource;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.EventDecodingException;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.Routed;
import io.babelflow.streams.specialization.window.ActivationValidator;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stop of an activation record, before it is re-keyed from "runId/layer" to runId: decodes
 * and checks it on its own (no state needed), rejects what is unusable, and keeps only the
 * statistics of the configured source. The original bytes travel on, stamped with their source
 * coordinates so a record rejected after the repartition still names where it came from.
 * <p>
 * One source per app, never a mix: HELDOUT statistics (LAPE's setting: a fixed text per language,
 * measured at eval points) and TRAIN windows have different token counts and bars, and mixing them
 * would shift the percentile bar.
 */
final class ActivationIntakeProcessor implements Processor<byte[], byte[], String, Routed<byte[]>> {
    private static final Logger LOG = LoggerFactory.getLogger(ActivationIntakeProcessor.class);
    private final AvroSerde<ActivationStats> serde = AvroSerde.of(ActivationStats.class);
    private final String app;
    private final StatsSource source;
    private ProcessorContext<String, Routed<byte[]>> context;

    ActivationIntakeProcessor(String app, StatsSource source) {
        this.app = app;
        this.source = source;
    }

    @Override
    public void init(ProcessorContext<String, Routed<byte[]>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        if (record.value() == null) {
            context.forward(DeadLetters.reject(record, metadata, record.key(), null, "null value for ActivationStats", app));
            return;
        }
        ActivationStats stats;
        try {
            stats = serde.decode(record.value());
        } catch (EventDecodingException e) {
            context.forward(DeadLetters.reject(record, metadata, record.key(), record.value(), e.getMessage(), app));
            return;
        }
        String problem = ActivationValidator.checkRecord(stats);
        if (problem != null) {
            context.forward(DeadLetters.reject(record, metadata, record.key(), record.value(),
                    "invalid ActivationStats: " + problem, app));
            return;
        }
        if (stats.getSource() != source) {
            LOG.debug("ignoring {} statistics of run {} layer {}", stats.getSource(), stats.getRunId(), stats.getLayer());
            return;
        }
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        if (metadata != null) {
            DeadLetters.stampOrigin(headers, metadata);
        }
        context.forward(new Record<>(stats.getRunId(), Routed.pass(record.value()), record.timestamp(), headers));
    }
}
