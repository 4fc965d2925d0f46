package io.babelflow.streams.specialization.app;

import io.babelflow.events.ActivationStats;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.Routed;
import io.babelflow.streams.specialization.window.LayerPiece;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds up the ranks of a layer before the repartition by run: the input is keyed by "runId/layer",
 * so every rank of a layer meets here, and one {@link LayerPiece} per layer crosses the
 * repartition topic instead of one record per rank and layer.
 * <p>
 * A piece is forwarded once every rank of the world has reported the layer; otherwise, checked by
 * a wall-clock punctuator, a quarter of the grace period after its first pending rank arrived
 * (a slow rank then follows in a piece of its own, well inside the window's grace). The pending
 * sums live in the processor's map; the changelogged {@link SpecializationStores#RANK_PARTIALS}
 * store keeps only which ranks are pending and where their records are (a few bytes, where a 7B
 * layer's sum is 352 KB rewritten at every commit), and a restart reads those records again
 * ({@link SourceRecords}), so it neither loses a rank nor adds one twice. After forwarding, the
 * layer's entry shrinks to the ranks forwarded, kept for twice the grace period so a duplicate is
 * rejected here with its own bytes rather than merged with good ranks.
 * <p>
 * A record of another shape than the layer's first (window start, world, layers, neurons) flushes
 * the pending piece and starts a new one: the window-merge, which knows the run, judges both.
 */
final class RankMergeProcessor implements Processor<String, ActivationIntakeProcessor.Decoded, String, Routed<LayerPiece>> {
    private final String app;
    private final Duration punctuateInterval;
    private final long lingerMs;
    private final long retentionMs;
    private final Map<String, LayerPiece> live = new TreeMap<>();
    private ProcessorContext<String, Routed<LayerPiece>> context;
    private KeyValueStore<String, LayerPiece> partials;

    RankMergeProcessor(SpecializationConfig config) {
        this.app = config.appName();
        this.punctuateInterval = config.punctuateInterval();
        this.lingerMs = config.grace().toMillis() / 4;
        this.retentionMs = 2 * config.grace().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Routed<LayerPiece>> context) {
        this.context = context;
        partials = context.getStateStore(SpecializationStores.RANK_PARTIALS);
        // the store keeps where the pending ranks' records are, not their sums: add them up again
        SourceRecords.rebuild(context, partials, live, "rank-merge");
        context.schedule(punctuateInterval, PunctuationType.WALL_CLOCK_TIME, this::flushLingering);
    }

    @Override
    public void process(Record<String, ActivationIntakeProcessor.Decoded> record) {
        ActivationStats s = record.value().stats();
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        String key = StoreKeys.windowLayer(s.getRunId(), s.getWindowEnd(), s.getLayer());
        long now = context.currentSystemTimeMs();
        LayerPiece piece = live.get(key);
        if (piece != null && piece.mismatch(s) != null) {
            if (piece.pending()) {
                forward(piece.takePending());
            }
            piece = null;
        }
        if (piece == null) {
            piece = LayerPiece.open(s, now);
        } else if (piece.seen(s.getRank())) {
            context.forward(DeadLetters.reject(record, metadata, record.key().getBytes(StandardCharsets.UTF_8),
                    record.value().bytes(), "duplicate: rank " + s.getRank() + " layer " + s.getLayer()
                            + " of the window ending at step " + s.getWindowEnd() + " was already merged", app));
            return;
        }
        piece.add(s, metadata == null ? -1 : metadata.partition(), metadata == null ? -1 : metadata.offset(),
                record.timestamp(), now);
        if (piece.complete()) {
            forward(piece.takePending());
        }
        save(key, piece);
    }

    /** Forwards pieces whose pending ranks waited long enough; forgets layers long done. */
    private void flushLingering(long now) {
        List<String> forget = new ArrayList<>();
        List<String> flushed = new ArrayList<>();
        live.forEach((key, piece) -> {
            if (piece.pending() && now - piece.pendingSinceMs() >= lingerMs) {
                forward(piece.takePending());
                flushed.add(key);
            } else if (!piece.pending() && now - piece.openedMs() >= retentionMs) {
                forget.add(key);
            }
        });
        flushed.forEach(key -> save(key, live.get(key)));
        forget.forEach(key -> {
            live.remove(key);
            partials.delete(key);
        });
    }

    private void forward(LayerPiece piece) {
        context.forward(new Record<>(piece.runId(), Routed.pass(piece), piece.lastTimestamp()));
    }

    private void save(String key, LayerPiece piece) {
        live.put(key, piece);
        partials.put(key, piece);
    }
}
