package io.babelflow.streams.observatory;

import io.babelflow.events.NeuronSpecialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Neuron specialization on the timeline: per layer and language the counts of language-specific
 * and transferring neurons over windows (series), the newest window of each layer as counts and
 * pairwise overlaps ({@link LayerWindow}), and once every layer of a window is in, the run's
 * transfer ratio per new language: transferring neurons / neurons specific to it, over all layers.
 */
final class NeuronWindows {
    private static final StringSerializer KEYS = new StringSerializer();
    private final KeyValueStore<String, LayerWindow> layers;
    private final SeriesWriter series;

    NeuronWindows(KeyValueStore<String, LayerWindow> layers, SeriesWriter series) {
        this.layers = layers;
        this.series = series;
    }

    /** Records one layer's window; returns it as counts (for the live page). */
    LayerWindow add(String run, NeuronSpecialization n) {
        LayerWindow w = counts(n);
        String key = ObservatoryKeys.layer(run, n.getLayer());
        LayerWindow old = layers.get(key);
        if (old == null || old.windowEnd() <= w.windowEnd()) {
            layers.put(key, w);
        }
        w.specific().forEach((lang, c) ->
                series.add(run, "neurons/specific/" + lang + "/" + n.getLayer(), n.getWindowEnd(), c));
        w.transferring().forEach((lang, c) ->
                series.add(run, "neurons/transferring/" + lang + "/" + n.getLayer(), n.getWindowEnd(), c));
        return w;
    }

    /**
     * When all {@code modelLayers} layers hold window {@code windowEnd}: the transfer ratio per new
     * language, also appended to its {@code transfer/<lang>} series. Null while layers are missing.
     */
    Map<String, Double> completeWindowTransfer(String run, long windowEnd, int modelLayers) {
        List<LayerWindow> window = new ArrayList<>();
        try (KeyValueIterator<String, LayerWindow> it = layers.prefixScan(ObservatoryKeys.run(run), KEYS)) {
            it.forEachRemaining(kv -> {
                if (kv.value.windowEnd() == windowEnd) {
                    window.add(kv.value);
                }
            });
        }
        if (modelLayers < 1 || window.size() < modelLayers) {
            return null;
        }
        Map<String, Double> ratios = new TreeMap<>();
        Set<String> newLanguages = new HashSet<>();
        window.forEach(w -> newLanguages.addAll(w.transferring().keySet()));
        for (String lang : newLanguages) {
            long transferring = window.stream().mapToLong(w -> w.transferring().getOrDefault(lang, 0)).sum();
            long specific = window.stream().mapToLong(w -> w.specific().getOrDefault(lang, 0)).sum();
            double ratio = specific == 0 ? 0 : (double) transferring / specific;
            ratios.put(lang, ratio);
            series.add(run, "transfer/" + lang, windowEnd, ratio);
        }
        return ratios;
    }

    /** Counts and pairwise overlaps of one layer's neuron sets. */
    static LayerWindow counts(NeuronSpecialization n) {
        Map<String, Integer> specific = new TreeMap<>();
        Map<String, Set<Integer>> sets = new TreeMap<>();
        n.getSpecificNeurons().forEach((lang, ids) -> {
            specific.put(lang, ids.size());
            sets.put(lang, new HashSet<>(ids));
        });
        Map<String, Integer> transferring = new TreeMap<>();
        n.getTransferringNeurons().forEach((lang, ids) -> transferring.put(lang, ids.size()));
        Map<String, Integer> overlap = new TreeMap<>();
        List<String> langs = new ArrayList<>(sets.keySet());
        for (int i = 0; i < langs.size(); i++) {
            for (int j = i + 1; j < langs.size(); j++) {
                Set<Integer> both = new HashSet<>(sets.get(langs.get(i)));
                both.retainAll(sets.get(langs.get(j)));
                overlap.put(langs.get(i) + "|" + langs.get(j), both.size());
            }
        }
        return new LayerWindow(n.getWindowEnd(), n.getNeurons(), specific, transferring, overlap);
    }
}
