package io.babelflow.streams.specialization.app;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.StatsSource;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.EventDecodingException;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.Routed;
import io.babelflow.streams.specialization.window.ActivationValidator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stop of an activation record, keyed by "runId/layer": decodes and checks it on its own (no
 * state needed), rejects what is unusable, and keeps only the statistics of the configured source.
 * The decoded record goes on, in memory, to the {@link RankMergeProcessor} of the same task.
 * <p>
 * One source per app, never a mix: HELDOUT statistics (LAPE's setting: a fixed text per language,
 * measured at eval points) and TRAIN windows have different token counts and bars, and mixing them
 * would shift the percentile bar.
 */
final class ActivationIntakeProcessor implements Processor<byte[], byte[], String, Routed<ActivationIntakeProcessor.Decoded>> {
    private static final Logger LOG = LoggerFactory.getLogger(ActivationIntakeProcessor.class);
    private final AvroSerde<ActivationStats> serde = AvroSerde.of(ActivationStats.class);
    private final String app;
    private final StatsSource source;
    private ProcessorContext<String, Routed<Decoded>> context;

    /** A valid record, decoded once, with its original bytes for a dead letter further on. */
    record Decoded(ActivationStats stats, byte[] bytes) {
    }

    ActivationIntakeProcessor(String app, StatsSource source) {
        this.app = app;
        this.source = source;
    }

    @Override
    public void init(ProcessorContext<String, Routed<Decoded>> context) {
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
        context.forward(new Record<>(Topics.activationKey(stats.getRunId(), stats.getLayer()),
                Routed.pass(new Decoded(stats, record.value())), record.timestamp(), record.headers()));
    }
}
