package io.babelflow.trainer.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step's training loss: the batch mean and, per language present in the batch, the
 * token-weighted mean over that language's sequences (all sequences have the same length).
 */
public record StepLosses(double loss, Map<String, Double> languageLoss, Map<String, Long> languageTokens) {

    /** @param sequenceLoss summed cross-entropy of each sequence of the batch */
    public static StepLosses of(double loss, float[] sequenceLoss, Batch batch, List<String> languages) {
        double[] sums = new double[languages.size()];
        for (int b = 0; b < sequenceLoss.length; b++) {
            sums[batch.languages()[b]] += sequenceLoss[b];
        }
        Map<String, Double> perLanguage = new LinkedHashMap<>();
        Map<String, Long> tokens = new LinkedHashMap<>();
        for (int l = 0; l < languages.size(); l++) {
            long n = batch.tokensPerLanguage()[l];
            if (n > 0) {
                perLanguage.put(languages.get(l), sums[l] / n);
                tokens.put(languages.get(l), n);
            }
        }
        return new StepLosses(loss, perLanguage, tokens);
    }
}
