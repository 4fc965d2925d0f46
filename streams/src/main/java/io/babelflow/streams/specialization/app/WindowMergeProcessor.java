package io.babelflow.streams.specialization.app;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunStarted;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.Routed;
import io.babelflow.streams.specialization.window.ActivationValidator;
import io.babelflow.streams.specialization.window.LayerCounts;
import io.babelflow.streams.specialization.window.LayerPiece;
import io.babelflow.streams.specialization.window.LayerProbabilities;
import io.babelflow.streams.specialization.window.RunProgress;
import io.babelflow.streams.specialization.window.WindowAnalysis;
import io.babelflow.streams.specialization.window.WindowProgress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the layer pieces (ranks already added up per layer by the {@link RankMergeProcessor})
 * per (run, window, layer) by addition and, when a window
 * closes, runs the {@link WindowAnalysis} on them and keeps its outcome in the stores.
 * A window closes when every layer of every rank has reported, or, checked by a wall-clock
 * punctuator, once the grace period since its first record has passed; it is then marked
 * incomplete with the missing ranks and computed over the layers that did arrive.
 * <p>
 * Rejected here (to the dead-letter topic, one dead letter per record of the piece): pieces
 * disagreeing with the run's RunStarted or with the window's first piece, a (rank, layer) already
 * merged into the window, and pieces of a window already closed. Each would otherwise corrupt or
 * silently vanish from a window.
 */
final class WindowMergeProcessor implements Processor<String, LayerPiece, String, Routed<ClosedWindow>> {
    private static final Logger LOG = LoggerFactory.getLogger(WindowMergeProcessor.class);

    private final SpecializationConfig config;
    private final WindowAnalysis analysis;
    private ProcessorContext<String, Routed<ClosedWindow>> context;
    private KeyValueStore<String, RunStarted> runs;
    /** (run, window, layer) → the pieces merged so far, with their counts; the store keeps their sources only. */
    private final NavigableMap<String, LayerPiece> merged = new TreeMap<>();
    private KeyValueStore<String, LayerPiece> windowSources;
    private KeyValueStore<String, WindowProgress> openWindows;
    private KeyValueStore<String, RunProgress> runProgress;
    private KeyValueStore<String, LayerProbabilities> history;
    private KeyValueStore<String, NeuronSpecialization> layerSpecialization;

    WindowMergeProcessor(SpecializationConfig config) {
        this.config = config;
        this.analysis = new WindowAnalysis(config.lape(), config.statsSource());
    }

    @Override
    public void init(ProcessorContext<String, Routed<ClosedWindow>> context) {
        this.context = context;
        runs = context.getStateStore(SpecializationStores.RUNS);
        windowSources = context.getStateStore(SpecializationStores.WINDOW_SOURCES);
        // the store keeps where the merged records are, not their sums: add them up again
        SourceRecords.rebuild(context, windowSources, merged, "window-merge");
        openWindows = context.getStateStore(SpecializationStores.OPEN_WINDOWS);
        runProgress = context.getStateStore(SpecializationStores.RUN_PROGRESS);
        history = context.getStateStore(SpecializationStores.NEURON_HISTORY);
        layerSpecialization = context.getStateStore(SpecializationStores.LAYER_SPECIALIZATION);
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeExpired);
    }

    @Override
    public void process(Record<String, LayerPiece> record) {
        LayerPiece piece = record.value();
        String runId = piece.runId();
        RunStarted run = runs.get(runId);
        String problem = run == null ? null : ActivationValidator.checkAgainstRun(piece, run);
        if (problem != null) {
            reject(record, piece, "ActivationStats disagrees with RunStarted: " + problem);
            return;
        }
        String windowKey = StoreKeys.window(runId, piece.windowEnd());
        WindowProgress progress = openWindows.get(windowKey);
        if (progress == null) {
            if (progress(runId).closes(piece.windowEnd())) {
                reject(record, piece, "late: window ending at step " + piece.windowEnd()
                        + " was already closed (newest closed window ends at " + progress(runId).lastClosedWindowEnd() + ")");
                return;
            }
            // the grace runs from the layer's first record, as it reached the rank-merge
            progress = WindowProgress.open(piece.windowStart(), piece.worldSize(), piece.layers(), piece.neurons(),
                    Math.min(piece.openedMs(), context.currentSystemTimeMs()));
        } else {
            problem = progress.mismatch(piece.windowStart(), piece.worldSize(), piece.layers(), piece.neurons());
            if (problem != null) {
                reject(record, piece, "ActivationStats disagrees with its window: " + problem);
                return;
            }
        }
        for (int rank : piece.ranks()) {
            if (progress.hasReported(rank, piece.layer())) {
                reject(record, piece, "duplicate: rank " + rank + " layer " + piece.layer()
                        + " of the window ending at step " + piece.windowEnd() + " was already merged");
                return;
            }
        }
        String layerKey = StoreKeys.windowLayer(runId, piece.windowEnd(), piece.layer());
        LayerPiece layer = merged.get(layerKey);
        if (layer == null) {
            layer = piece;
        } else {
            layer.absorb(piece);
        }
        for (int rank : piece.ranks()) {
            progress = progress.withReported(rank, piece.layer(), record.timestamp());
        }
        if (progress.complete()) {
            if (merged.remove(layerKey) != null) {
                windowSources.delete(layerKey); // the last piece goes straight to the analysis
            }
            close(runId, piece.windowEnd(), progress, Map.of(piece.layer(), layer.counts()));
        } else {
            merged.put(layerKey, layer);
            windowSources.put(layerKey, layer);
            openWindows.put(windowKey, progress);
        }
    }

    /**
     * One dead letter per record added up in the piece, at that record's source coordinates; the
     * value is left out (the bytes were added up before the repartition) and stays readable there.
     */
    private void reject(Record<String, LayerPiece> record, LayerPiece piece, String reason) {
        byte[] key = Topics.activationKey(piece.runId(), piece.layer()).getBytes(StandardCharsets.UTF_8);
        int[] ranks = piece.ranks();
        String merged = ranks.length == 1 ? "" : " (ranks " + piece.rankList() + " of the layer were added up before"
                + " the repartition; each dead letter names one)";
        for (int i = 0; i < ranks.length; i++) {
            context.forward(DeadLetters.reject(record, origin(piece.partition(i), piece.offset(i)), key, null,
                    reason + merged + " [rank " + ranks[i] + "; value left out: read it at the source coordinates]",
                    config.appName()));
        }
    }

    private static RecordMetadata origin(int partition, long offset) {
        return new RecordMetadata() {
            @Override
            public String topic() {
                return Topics.ACTIVATION_STATS.name();
            }

            @Override
            public int partition() {
                return partition;
            }

            @Override
            public long offset() {
                return offset;
            }
        };
    }

    private RunProgress progress(String runId) {
        RunProgress progress = runProgress.get(runId);
        return progress == null ? RunProgress.EMPTY : progress;
    }

    private void closeExpired(long now) {
        List<KeyValue<String, WindowProgress>> expired = new ArrayList<>();
        try (KeyValueIterator<String, WindowProgress> it = openWindows.all()) {
            while (it.hasNext()) {
                KeyValue<String, WindowProgress> entry = it.next();
                if (entry.value.expired(now, config.grace().toMillis())) {
                    expired.add(entry);
                }
            }
        }
        for (KeyValue<String, WindowProgress> entry : expired) {
            String runId = StoreKeys.runOf(entry.key);
            long windowEnd = StoreKeys.windowEndOf(entry.key);
            LOG.info("window ending at step {} of run {} closes incomplete after {}: ranks {} missing",
                    windowEnd, runId, config.grace(), entry.value.missingRanks());
            close(runId, windowEnd, entry.value, Map.of());
        }
    }

    /** @param last counts of layers merged just now and not written to the store */
    private void close(String runId, long windowEnd, WindowProgress window, Map<Integer, LayerCounts> last) {
        openWindows.delete(StoreKeys.window(runId, windowEnd));
        SortedMap<Integer, LayerCounts> layers = takeCounts(runId, windowEnd);
        layers.putAll(last);
        RunProgress progress = progress(runId);
        boolean newest = windowEnd > progress.lastClosedWindowEnd();
        Optional<WindowAnalysis.Outcome> outcome = analysis.analyse(new WindowAnalysis.Window(runId,
                window.windowStart(), windowEnd, window.complete(), window.missingRanks()), layers, runs.get(runId),
                progress.previous(), newest, context.currentSystemTimeMs());
        if (outcome.isEmpty()) {
            LOG.warn("window ending at step {} of run {} has no language with tokens in every layer; nothing to select",
                    windowEnd, runId);
            runProgress.put(runId, progress.withClosed(windowEnd, progress.previous()));
            return;
        }
        WindowAnalysis.Outcome closed = outcome.get();
        if (newest) {
            closed.records().forEach(r -> layerSpecialization.put(StoreKeys.layer(runId, r.getLayer()), r));
        }
        closed.probabilities().forEach((layer, p) -> history.put(StoreKeys.history(runId, layer, windowEnd), p));
        advance(runId, windowEnd, window.layers(), progress, closed.sets());
        context.forward(new Record<>(runId, Routed.pass(new ClosedWindow(closed.records(), closed.evidence())),
                Math.max(window.lastTimestamp(), 0)));
    }

    /** Takes the merged counts of every layer of the window out of the map and the store. */
    private SortedMap<Integer, LayerCounts> takeCounts(String runId, long windowEnd) {
        SortedMap<Integer, LayerCounts> layers = new TreeMap<>();
        String prefix = StoreKeys.windowLayerPrefix(runId, windowEnd);
        Map<String, LayerPiece> window = merged.subMap(prefix, prefix + Character.MAX_VALUE);
        window.forEach((key, piece) -> {
            layers.put((int) StoreKeys.lastNumber(key), piece.counts());
            windowSources.delete(key);
        });
        window.clear();
        return layers;
    }

    /** Records the closed window's sets and drops the neuron history that falls out of the kept windows. */
    private void advance(String runId, long windowEnd, int layers, RunProgress progress,
            Map<Integer, Map<String, int[]>> sets) {
        List<Long> evicted = new ArrayList<>();
        RunProgress next = progress.withClosed(windowEnd, sets).withHistory(windowEnd, config.historyWindows(), evicted);
        for (long old : evicted) {
            for (int layer = 0; layer < layers; layer++) {
                history.delete(StoreKeys.history(runId, layer, old));
            }
        }
        runProgress.put(runId, next);
    }
}
