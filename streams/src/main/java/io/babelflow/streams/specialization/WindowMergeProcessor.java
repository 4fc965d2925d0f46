package io.babelflow.streams.specialization;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunStarted;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.EventDecodingException;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.Routed;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the ranks' activation counts per (run, window, layer) by addition and, when a window
 * closes, selects the language-specific neurons of the whole model with {@link LapeSelector}.
 * A window closes when every layer of every rank has reported, or, checked by a wall-clock
 * punctuator, once the grace period since its first record has passed; it is then marked
 * incomplete with the missing ranks and computed over the layers that did arrive.
 * <p>
 * Rejected here (to the dead-letter topic): records disagreeing with the run's RunStarted or with
 * the window's first record, a (rank, layer) already merged into the window, and records of a
 * window already closed. Each would otherwise corrupt or silently vanish from a window.
 */
final class WindowMergeProcessor implements Processor<String, byte[], String, Routed<ClosedWindow>> {
    private static final Logger LOG = LoggerFactory.getLogger(WindowMergeProcessor.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private final SpecializationConfig config;
    private final LapeSelector selector;
    private final AvroSerde<ActivationStats> serde = AvroSerde.of(ActivationStats.class);
    private ProcessorContext<String, Routed<ClosedWindow>> context;
    private KeyValueStore<String, RunStarted> runs;
    private KeyValueStore<String, LayerCounts> windowCounts;
    private KeyValueStore<String, WindowProgress> openWindows;
    private KeyValueStore<String, RunProgress> runProgress;
    private KeyValueStore<String, LayerProbabilities> history;
    private KeyValueStore<String, NeuronSpecialization> layerSpecialization;

    WindowMergeProcessor(SpecializationConfig config) {
        this.config = config;
        this.selector = new LapeSelector(config.lape());
    }

    @Override
    public void init(ProcessorContext<String, Routed<ClosedWindow>> context) {
        this.context = context;
        runs = context.getStateStore(SpecializationStores.RUNS);
        windowCounts = context.getStateStore(SpecializationStores.WINDOW_COUNTS);
        openWindows = context.getStateStore(SpecializationStores.OPEN_WINDOWS);
        runProgress = context.getStateStore(SpecializationStores.RUN_PROGRESS);
        history = context.getStateStore(SpecializationStores.NEURON_HISTORY);
        layerSpecialization = context.getStateStore(SpecializationStores.LAYER_SPECIALIZATION);
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeExpired);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        ActivationStats stats;
        try {
            stats = serde.decode(record.value());
        } catch (EventDecodingException e) { // the intake decoded these very bytes; kept for safety
            reject(record, null, e.getMessage());
            return;
        }
        String runId = stats.getRunId();
        RunStarted run = runs.get(runId);
        String problem = run == null ? null : ActivationValidator.checkAgainstRun(stats, run);
        if (problem != null) {
            reject(record, stats, "ActivationStats disagrees with RunStarted: " + problem);
            return;
        }
        String windowKey = StoreKeys.window(runId, stats.getWindowEnd());
        WindowProgress progress = openWindows.get(windowKey);
        if (progress == null) {
            if (progress(runId).closes(stats.getWindowEnd())) {
                reject(record, stats, "late: window ending at step " + stats.getWindowEnd()
                        + " was already closed (newest closed window ends at " + progress(runId).lastClosedWindowEnd() + ")");
                return;
            }
            progress = WindowProgress.open(stats.getWindowStart(), stats.getWorldSize(), stats.getLayers(),
                    stats.getNeurons(), context.currentSystemTimeMs());
        } else {
            problem = progress.mismatch(stats.getWindowStart(), stats.getWorldSize(), stats.getLayers(), stats.getNeurons());
            if (problem != null) {
                reject(record, stats, "ActivationStats disagrees with its window: " + problem);
                return;
            }
        }
        if (progress.hasReported(stats.getRank(), stats.getLayer())) {
            reject(record, stats, "duplicate: rank " + stats.getRank() + " layer " + stats.getLayer()
                    + " of the window ending at step " + stats.getWindowEnd() + " was already merged");
            return;
        }
        String layerKey = StoreKeys.windowLayer(runId, stats.getWindowEnd(), stats.getLayer());
        LayerCounts counts = windowCounts.get(layerKey);
        if (counts == null) {
            counts = new LayerCounts(stats.getNeurons());
        }
        counts.add(stats.getLanguages(), stats.getTokens().stream().mapToLong(Long::longValue).toArray(),
                PackedFloats.unpack(stats.getActiveCounts()));
        windowCounts.put(layerKey, counts);
        progress = progress.withReported(stats.getRank(), stats.getLayer(), record.timestamp());
        if (progress.complete()) {
            close(runId, stats.getWindowEnd(), progress);
        } else {
            openWindows.put(windowKey, progress);
        }
    }

    private void reject(Record<String, byte[]> record, ActivationStats stats, String reason) {
        // the original key was "runId/layer"; the repartition re-keyed it by runId
        byte[] key = (stats == null ? record.key() : Topics.activationKey(stats.getRunId(), stats.getLayer()))
                .getBytes(StandardCharsets.UTF_8);
        context.forward(DeadLetters.reject(record, context.recordMetadata().orElse(null), key, record.value(),
                reason, config.appName()));
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
            close(runId, windowEnd, entry.value);
        }
    }

    private void close(String runId, long windowEnd, WindowProgress window) {
        openWindows.delete(StoreKeys.window(runId, windowEnd));
        TreeMap<Integer, LayerCounts> layers = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, LayerCounts> it =
                     windowCounts.prefixScan(StoreKeys.windowLayerPrefix(runId, windowEnd), KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, LayerCounts> entry = it.next();
                keys.add(entry.key);
                layers.put((int) StoreKeys.lastNumber(entry.key), entry.value);
            }
        }
        keys.forEach(windowCounts::delete);

        RunStarted run = runs.get(runId);
        List<String> languages = languagesWithTokens(layers, run);
        RunProgress progress = progress(runId);
        if (languages.isEmpty()) {
            LOG.warn("window ending at step {} of run {} has no language with tokens in every layer; nothing to select",
                    windowEnd, runId);
            runProgress.put(runId, progress.withClosed(windowEnd, progress.previous()));
            return;
        }
        int[] layerIds = layers.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[][] matrices = new double[layerIds.length][];
        for (int i = 0; i < layerIds.length; i++) {
            matrices[i] = layers.get(layerIds[i]).probabilities(languages);
        }
        LapeResult result = selector.select(new ActivationProbabilities(languages, layerIds, matrices));
        publish(runId, windowEnd, window, RunLanguages.of(run), progress, languages, matrices, result);
    }

    /** Languages with tokens in every arrived layer, in the run's order (or the first layer's). */
    private static List<String> languagesWithTokens(Map<Integer, LayerCounts> layers, RunStarted run) {
        List<String> order = new ArrayList<>();
        if (run != null) {
            for (LanguageSpec spec : run.getLanguages()) {
                order.add(spec.getId());
            }
        }
        for (LayerCounts counts : layers.values()) {
            for (String language : counts.languages()) {
                if (!order.contains(language)) {
                    order.add(language);
                }
            }
        }
        order.removeIf(language -> layers.isEmpty()
                || layers.values().stream().anyMatch(counts -> counts.tokens(language) <= 0));
        return order;
    }

    private void publish(String runId, long windowEnd, WindowProgress window, RunLanguages roles, RunProgress progress,
            List<String> languages, double[][] matrices, LapeResult result) {
        boolean newest = windowEnd > progress.lastClosedWindowEnd();
        long now = context.currentSystemTimeMs();
        Map<Integer, Map<String, int[]>> sets = new HashMap<>();
        Map<String, Map<Integer, int[]>> modelSets = new LinkedHashMap<>();
        Map<String, Integer> specificCounts = new LinkedHashMap<>();
        Map<String, Integer> transferringCounts = new LinkedHashMap<>();
        Map<Integer, Map<String, Integer>> layerCounts = new TreeMap<>();
        Map<String, Double> modelTransfer = transfer(roles, languages, matrices, result.activationBar());
        List<NeuronSpecialization> records = new ArrayList<>();
        for (int i = 0; i < result.layers().size(); i++) {
            LapeResult.LayerSelection layer = result.layers().get(i);
            Map<String, int[]> specific = layer.specific();
            Map<String, List<Integer>> specificOut = new LinkedHashMap<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            specific.forEach((language, ids) -> {
                specificOut.put(language, boxed(ids));
                counts.put(language, ids.length);
                specificCounts.merge(language, ids.length, Integer::sum);
                modelSets.computeIfAbsent(language, l -> new HashMap<>()).put(layer.layer(), ids);
            });
            Map<String, List<Integer>> transferringOut = new LinkedHashMap<>();
            if (roles.known() && specific.containsKey(roles.primary())) {
                for (String language : roles.newLanguages()) {
                    if (specific.containsKey(language)) {
                        int[] both = NeuronSets.intersection(specific.get(roles.primary()), specific.get(language));
                        transferringOut.put(language, boxed(both));
                        transferringCounts.merge(language, both.length, Integer::sum);
                    }
                }
            }
            Map<String, Double> jaccard = new LinkedHashMap<>();
            Map<String, int[]> previous = progress.previous().get(layer.layer());
            if (newest && previous != null) {
                specific.forEach((language, ids) -> {
                    if (previous.containsKey(language)) {
                        jaccard.put(language, NeuronSets.jaccard(ids, previous.get(language)));
                    }
                });
            }
            sets.put(layer.layer(), specific);
            layerCounts.put(layer.layer(), counts);
            NeuronSpecialization out = NeuronSpecialization.newBuilder()
                    .setRunId(runId)
                    .setWindowStart(window.windowStart())
                    .setWindowEnd(windowEnd)
                    .setLayer(layer.layer())
                    .setNeurons(layer.neurons())
                    .setComplete(window.complete())
                    .setMissingRanks(window.missingRanks())
                    .setProbabilityBar(result.probabilityBar())
                    .setTopRate(selector.parameters().topRate())
                    .setMeanEntropy(layer.meanEntropy())
                    .setSpecificNeurons(specificOut)
                    .setTransferringNeurons(transferringOut)
                    .setSource(config.statsSource())
                    .setTransferRatio(transfer(roles, languages, new double[][] {matrices[i]}, result.activationBar()))
                    .setJaccardWithPrevious(jaccard)
                    .setCreatedAt(java.time.Instant.ofEpochMilli(now))
                    .build();
            records.add(out);
            if (newest) {
                layerSpecialization.put(StoreKeys.layer(runId, layer.layer()), out);
            }
            history.put(StoreKeys.history(runId, layer.layer(), windowEnd),
                    LayerProbabilities.of(windowEnd, languages, matrices[i]));
        }

        Map<String, Double> modelJaccard = new LinkedHashMap<>();
        if (newest && !progress.previous().isEmpty()) {
            modelSets.forEach((language, perLayer) -> {
                Map<Integer, int[]> before = new HashMap<>();
                progress.previous().forEach((layer, byLanguage) -> {
                    if (byLanguage.containsKey(language)) {
                        before.put(layer, byLanguage.get(language));
                    }
                });
                modelJaccard.put(language, NeuronSets.jaccard(perLayer, before));
            });
        }
        List<Long> evicted = new ArrayList<>();
        RunProgress next = progress.withClosed(windowEnd, sets).withHistory(windowEnd, config.historyWindows(), evicted);
        for (long old : evicted) {
            for (int layer = 0; layer < window.layers(); layer++) {
                history.delete(StoreKeys.history(runId, layer, old));
            }
        }
        runProgress.put(runId, next);

        StageSignal.WindowSignal signal = new StageSignal.WindowSignal(window.windowStart(), windowEnd,
                window.complete(), window.missingRanks(), result.probabilityBar(), result.candidates(), result.selected(),
                specificCounts, transferringCounts, modelJaccard, layerCounts, newest, modelTransfer);
        long timestamp = Math.max(window.lastTimestamp(), 0);
        context.forward(new Record<>(runId, Routed.pass(new ClosedWindow(records, signal)), timestamp));
    }

    /** New language to its {@link TransferMeasure} over the given layers; absent where it is undefined. */
    private static Map<String, Double> transfer(RunLanguages roles, List<String> languages, double[][] matrices,
            double bar) {
        Map<String, Double> out = new LinkedHashMap<>();
        int primary = roles.known() ? languages.indexOf(roles.primary()) : -1;
        if (primary < 0) {
            return out;
        }
        for (String language : roles.newLanguages()) {
            int x = languages.indexOf(language);
            double t = x < 0 ? Double.NaN : TransferMeasure.ratio(matrices, languages.size(), primary, x, bar);
            if (!Double.isNaN(t)) {
                out.put(language, t);
            }
        }
        return out;
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }
}
