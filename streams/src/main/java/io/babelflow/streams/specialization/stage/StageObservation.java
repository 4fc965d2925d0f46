package io.babelflow.streams.specialization.stage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signals of one new language at one closed activation window. NaN marks a signal not yet
 * known (no logit-lens reading, fewer than two eval points).
 *
 * @param step          last training step of the window
 * @param transferRatio transferring neurons / neurons assigned to the language, model-wide (1 when
 *                      the language has no neurons of its own yet: everything it does is borrowed)
 * @param workingShare  middle-layer working-language share of the language (latest eval point)
 * @param lossSlope     held-out loss slope of the language, nats per 1000 steps
 * @param jaccard       model-wide Jaccard overlap of the language's neuron set with the previous window
 */
public record StageObservation(long step, double transferRatio, double workingShare, double lossSlope,
        double jaccard) {

    public static double transferRatio(int transferring, int specific) {
        return specific == 0 ? 1.0 : (double) transferring / specific;
    }

    public Map<String, Double> signals() {
        Map<String, Double> signals = new LinkedHashMap<>();
        signals.put("transferRatio", transferRatio);
        signals.put("workingLanguageShare", workingShare);
        signals.put("heldOutLossSlopePer1000Steps", lossSlope);
        signals.put("jaccardWithPrevious", jaccard);
        return signals;
    }
}
