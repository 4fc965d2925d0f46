package io.babelflow.streams.specialization.stage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Working-language shares of a run's new languages at its latest eval step, gathered layer by
 * layer as WorkingLanguage records arrive, until the middle layers are all in.
 *
 * @param shares  new language to layer to share
 * @param emitted new languages whose middle-layer share was already emitted for this step
 */
public record ShareProgress(long step, int layers, Map<String, Map<Integer, Double>> shares, List<String> emitted) {

    public static ShareProgress start(long step, int layers) {
        return new ShareProgress(step, layers, Map.of(), List.of());
    }

    public ShareProgress with(String language, int layer, double share) {
        Map<String, Map<Integer, Double>> next = new HashMap<>(shares);
        Map<Integer, Double> layerShares = new TreeMap<>(next.getOrDefault(language, Map.of()));
        layerShares.put(layer, share);
        next.put(language, layerShares);
        return new ShareProgress(step, layers, next, emitted);
    }

    public ShareProgress withEmitted(String language) {
        List<String> next = new ArrayList<>(emitted);
        next.add(language);
        return new ShareProgress(step, layers, shares, next);
    }

    /** True once every middle layer has a reading for the language. */
    public boolean middleComplete(String language) {
        Map<Integer, Double> layerShares = shares.getOrDefault(language, Map.of());
        for (int l = WorkingLanguageShare.middleStart(layers); l < WorkingLanguageShare.middleEnd(layers); l++) {
            if (!layerShares.containsKey(l)) {
                return false;
            }
        }
        return true;
    }

    /** Mean share over the middle layers with a defined share; NaN when none has one. */
    public double middleShare(String language) {
        Map<Integer, Double> layerShares = shares.getOrDefault(language, Map.of());
        double sum = 0;
        int n = 0;
        for (int l = WorkingLanguageShare.middleStart(layers); l < WorkingLanguageShare.middleEnd(layers); l++) {
            Double share = layerShares.get(l);
            if (share != null && !share.isNaN()) {
                sum += share;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
