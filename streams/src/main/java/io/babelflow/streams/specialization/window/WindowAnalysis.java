package io.babelflow.streams.specialization.window;

import io.babelflow.events.LanguageSpec;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.streams.specialization.lape.ActivationProbabilities;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.lape.LapeResult;
import io.babelflow.streams.specialization.lape.LapeSelector;
import io.babelflow.streams.specialization.lape.NeuronSets;
import io.babelflow.streams.specialization.lape.TransferMeasure;
import io.babelflow.streams.specialization.stage.RunLanguages;
import io.babelflow.streams.specialization.stage.StageEvidence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The analysis of one closed window, with no Kafka and no stores: which languages count, their
 * activation probabilities per layer, the LAPE selection, the transferring neurons, the
 * {@link TransferMeasure} of each new language (per layer and model-wide), the overlap with
 * the previous window (per layer and model-wide), the NeuronSpecialization records and the stage
 * evidence. The window-merge processor and the specialization benchmark both run exactly this.
 */
public final class WindowAnalysis {

    /** What is known of the closing window besides its counts. */
    public record Window(String runId, long windowStart, long windowEnd, boolean complete, List<Integer> missingRanks) {
    }

    /**
     * @param records       one NeuronSpecialization per arrived layer, in layer order
     * @param evidence      what the stage detector hears of the window
     * @param sets          layer to language to specific neurons: the next window's "previous"
     * @param probabilities layer to activation probabilities, the run's neuron history
     */
    public record Outcome(List<NeuronSpecialization> records, StageEvidence.WindowEvidence evidence,
            Map<Integer, Map<String, int[]>> sets, Map<Integer, LayerProbabilities> probabilities) {
    }

    private final LapeSelector selector;
    private final StatsSource source;

    /** An analysis of HELDOUT statistics (the default input of LAPE). */
    public WindowAnalysis(LapeParameters parameters) {
        this(parameters, StatsSource.HELDOUT);
    }

    /** @param source the statistics the windows hold, named in every record */
    public WindowAnalysis(LapeParameters parameters, StatsSource source) {
        this.selector = new LapeSelector(parameters);
        this.source = source;
    }

    /**
     * @param layers   the merged counts of every arrived layer
     * @param run      the run's RunStarted, or null when it has not arrived (no roles, no language order)
     * @param previous layer to language to specific neurons of the newest window closed before
     * @param newest   whether no newer window has closed: only then is it compared with {@code previous}
     * @return empty when no language has tokens in every arrived layer: there is nothing to select
     */
    public Optional<Outcome> analyse(Window window, SortedMap<Integer, LayerCounts> layers, RunStarted run,
            Map<Integer, Map<String, int[]>> previous, boolean newest, long nowMs) {
        List<String> languages = languagesWithTokens(layers, run);
        if (languages.isEmpty()) {
            return Optional.empty();
        }
        int[] layerIds = layers.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[][] matrices = new double[layerIds.length][];
        for (int i = 0; i < layerIds.length; i++) {
            matrices[i] = layers.get(layerIds[i]).probabilities(languages);
        }
        LapeResult result = selector.select(new ActivationProbabilities(languages, layerIds, matrices));
        RunLanguages roles = RunLanguages.of(run);
        Map<Integer, Map<String, int[]>> compared = newest ? previous : Map.of();

        List<NeuronSpecialization> records = new ArrayList<>();
        Map<Integer, Map<String, int[]>> sets = new TreeMap<>();
        Map<Integer, LayerProbabilities> probabilities = new TreeMap<>();
        Map<String, Integer> transferringTotals = new LinkedHashMap<>();
        for (int i = 0; i < result.layers().size(); i++) {
            LapeResult.LayerSelection layer = result.layers().get(i);
            Map<String, List<Integer>> transferring = transferring(roles, layer.specific());
            transferring.forEach((language, ids) -> transferringTotals.merge(language, ids.size(), Integer::sum));
            records.add(record(window, result, layer, transferring,
                    layerJaccard(layer.specific(), compared.get(layer.layer())),
                    transfer(roles, languages, new double[][] {matrices[i]}, result.activationBar()), nowMs));
            sets.put(layer.layer(), layer.specific());
            probabilities.put(layer.layer(), LayerProbabilities.of(window.windowEnd(), languages, matrices[i]));
        }
        StageEvidence.WindowEvidence evidence = new StageEvidence.WindowEvidence(window.windowStart(),
                window.windowEnd(), window.complete(), window.missingRanks(), result.probabilityBar(),
                result.candidates(), result.selected(), specificTotals(sets), transferringTotals,
                modelJaccard(sets, compared), layerCounts(sets), newest,
                transfer(roles, languages, matrices, result.activationBar()));
        return Optional.of(new Outcome(records, evidence, sets, probabilities));
    }

    /** Languages with tokens in every arrived layer, in the run's order (then the layers' order). */
    static List<String> languagesWithTokens(Map<Integer, LayerCounts> layers, RunStarted run) {
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

    /** New language to the neurons specific to it and to the primary language, when both have a set. */
    static Map<String, List<Integer>> transferring(RunLanguages roles, Map<String, int[]> specific) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        if (roles.known() && specific.containsKey(roles.primary())) {
            for (String language : roles.newLanguages()) {
                if (specific.containsKey(language)) {
                    out.put(language, boxed(NeuronSets.intersection(specific.get(roles.primary()),
                            specific.get(language))));
                }
            }
        }
        return out;
    }

    /** New language to its {@link TransferMeasure} over the given layers; absent where it is undefined. */
    static Map<String, Double> transfer(RunLanguages roles, List<String> languages, double[][] matrices, double bar) {
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

    /** Jaccard overlap of each language's set in one layer with the previous window's (none without one). */
    static Map<String, Double> layerJaccard(Map<String, int[]> specific, Map<String, int[]> previous) {
        Map<String, Double> jaccard = new LinkedHashMap<>();
        if (previous != null) {
            specific.forEach((language, ids) -> {
                if (previous.containsKey(language)) {
                    jaccard.put(language, NeuronSets.jaccard(ids, previous.get(language)));
                }
            });
        }
        return jaccard;
    }

    /** Model-wide Jaccard overlap of each language's sets over all layers with the previous window's. */
    static Map<String, Double> modelJaccard(Map<Integer, Map<String, int[]>> sets,
            Map<Integer, Map<String, int[]>> previous) {
        Map<String, Double> jaccard = new LinkedHashMap<>();
        if (previous.isEmpty()) {
            return jaccard;
        }
        byLanguage(sets).forEach((language, perLayer) -> {
            Map<Integer, int[]> before = new HashMap<>();
            previous.forEach((layer, byLanguage) -> {
                if (byLanguage.containsKey(language)) {
                    before.put(layer, byLanguage.get(language));
                }
            });
            jaccard.put(language, NeuronSets.jaccard(perLayer, before));
        });
        return jaccard;
    }

    private NeuronSpecialization record(Window window, LapeResult result, LapeResult.LayerSelection layer,
            Map<String, List<Integer>> transferring, Map<String, Double> jaccard, Map<String, Double> transfer,
            long nowMs) {
        Map<String, List<Integer>> specific = new LinkedHashMap<>();
        layer.specific().forEach((language, ids) -> specific.put(language, boxed(ids)));
        return NeuronSpecialization.newBuilder()
                .setRunId(window.runId())
                .setWindowStart(window.windowStart())
                .setWindowEnd(window.windowEnd())
                .setLayer(layer.layer())
                .setNeurons(layer.neurons())
                .setComplete(window.complete())
                .setMissingRanks(window.missingRanks())
                .setProbabilityBar(result.probabilityBar())
                .setTopRate(selector.parameters().topRate())
                .setMeanEntropy(layer.meanEntropy())
                .setSpecificNeurons(specific)
                .setTransferringNeurons(transferring)
                .setJaccardWithPrevious(jaccard)
                .setSource(source)
                .setTransferRatio(transfer)
                .setCreatedAt(Instant.ofEpochMilli(nowMs))
                .build();
    }

    /** Language to its sets by layer, languages in the order they first appear over the layers. */
    private static Map<String, Map<Integer, int[]>> byLanguage(Map<Integer, Map<String, int[]>> sets) {
        Map<String, Map<Integer, int[]>> out = new LinkedHashMap<>();
        sets.forEach((layer, specific) -> specific.forEach((language, ids) ->
                out.computeIfAbsent(language, l -> new HashMap<>()).put(layer, ids)));
        return out;
    }

    private static Map<String, Integer> specificTotals(Map<Integer, Map<String, int[]>> sets) {
        Map<String, Integer> totals = new LinkedHashMap<>();
        sets.values().forEach(specific -> specific.forEach((language, ids) ->
                totals.merge(language, ids.length, Integer::sum)));
        return totals;
    }

    private static Map<Integer, Map<String, Integer>> layerCounts(Map<Integer, Map<String, int[]>> sets) {
        Map<Integer, Map<String, Integer>> counts = new TreeMap<>();
        sets.forEach((layer, specific) -> {
            Map<String, Integer> perLanguage = new LinkedHashMap<>();
            specific.forEach((language, ids) -> perLanguage.put(language, ids.length));
            counts.put(layer, perLanguage);
        });
        return counts;
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }
}
