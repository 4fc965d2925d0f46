package io.babelflow.streams.specialization.stage;

import java.util.Map;

/**
 * Working language from logit-lens readings: for prompts written in a new language X, the share
 * of the answer mass a layer puts on X rather than on the primary language,
 * mass_X / (mass_X + mass_primary). A share near 0 at the middle layers means the model "thinks"
 * in the primary language (Babel Tower's Translation stage); near 1 it works in X itself.
 */
public final class WorkingLanguageShare {
    private WorkingLanguageShare() {
    }

    /** NaN when neither language receives any mass. */
    public static double share(Map<String, Double> answerMass, String language, String primary) {
        double own = answerMass.getOrDefault(language, 0.0);
        double base = answerMass.getOrDefault(primary, 0.0);
        double total = own + base;
        return total > 0 ? own / total : Double.NaN;
    }

    /**
     * First middle layer: the middle third is [floor(L/3), ceil(2L/3)), rounded outward so it is
     * never empty (L = 32: layers 10..21; L = 12: 4..7; L = 1: 0).
     */
    public static int middleStart(int layers) {
        return layers / 3;
    }

    /** End (exclusive) of the middle third. */
    public static int middleEnd(int layers) {
        return Math.max(middleStart(layers) + 1, (2 * layers + 2) / 3);
    }

    public static boolean middle(int layer, int layers) {
        return layer >= middleStart(layers) && layer < middleEnd(layers);
    }
}
