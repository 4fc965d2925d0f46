package io.babelflow.trainer.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.babelflow.trainer.corpus.PreparedCorpus;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelOutput;
import io.babelflow.trainer.model.TokenLoss;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Held-out loss and HELDOUT activation statistics at an eval point, over the corpus's fixed probe
 * windows (the same text at every eval point and in every run). Each window is cut to
 * {@code contextLength + 1} bytes if longer.
 */
public final class HeldoutEvaluator {
    /** Mean held-out cross-entropy and token count per language, and the statistics of the same forward passes. */
    public record Result(Map<String, Double> languageLoss, Map<String, Long> languageTokens, StatsWindow stats) {
    }

    private record Window(int language, byte[] bytes) {
    }

    private final List<String> languages;
    private final List<Window> windows = new ArrayList<>();
    private final int windowLength;
    private final int batchSize;

    public HeldoutEvaluator(PreparedCorpus corpus, List<String> languages, int contextLength, int maxWindowsPerLanguage,
            int batchSize) {
        this.languages = List.copyOf(languages);
        this.windowLength = Math.min(corpus.summary().probeWindow(), contextLength + 1);
        this.batchSize = batchSize;
        for (int l = 0; l < languages.size(); l++) {
            List<byte[]> probe = corpus.probeWindows(languages.get(l));
            int n = maxWindowsPerLanguage > 0 ? Math.min(maxWindowsPerLanguage, probe.size()) : probe.size();
            for (int i = 0; i < n && windowLength >= 2; i++) {
                windows.add(new Window(l, probe.get(i)));
            }
        }
    }

    public boolean isEmpty() {
        return windows.isEmpty();
    }

    public Result evaluate(LanguageModel model, long step) {
        int l = languages.size();
        int t = windowLength - 1;
        double[] lossSums = new double[l];
        long[] tokens = new long[l];
        try (NDManager scope = model.manager().newSubManager();
                ActivationStatsAccumulator stats = new ActivationStatsAccumulator(scope, languages,
                        model.config().layers(), model.config().ffnWidth())) {
            for (int from = 0; from < windows.size(); from += batchSize) {
                List<Window> chunk = windows.subList(from, Math.min(windows.size(), from + batchSize));
                try (NDManager batchScope = scope.newSubManager()) {
                    int b = chunk.size();
                    long[] bytes = new long[b * windowLength];
                    float[] oneHot = new float[b * l];
                    long[] chunkTokens = new long[l];
                    for (int i = 0; i < b; i++) {
                        Window w = chunk.get(i);
                        for (int j = 0; j < windowLength; j++) {
                            bytes[i * windowLength + j] = w.bytes()[j] & 0xFF;
                        }
                        oneHot[i * l + w.language()] = 1f;
                        chunkTokens[w.language()] += t;
                    }
                    NDArray all = batchScope.create(bytes, new Shape(b, windowLength));
                    ModelOutput out = model.forward(all.get(":, :-1"), false);
                    float[] sequenceLoss = TokenLoss.crossEntropy(out.logits(), all.get(":, 1:"))
                            .sum(new int[] {1}).toFloatArray();
                    for (int i = 0; i < b; i++) {
                        lossSums[chunk.get(i).language()] += sequenceLoss[i];
                    }
                    stats.add(out.ffnActivations(), batchScope.create(oneHot, new Shape(b, l)), chunkTokens);
                    for (int i = 0; i < l; i++) {
                        tokens[i] += chunkTokens[i];
                    }
                }
            }
            Map<String, Double> loss = new LinkedHashMap<>();
            Map<String, Long> count = new LinkedHashMap<>();
            for (int i = 0; i < l; i++) {
                if (tokens[i] > 0) {
                    loss.put(languages.get(i), lossSums[i] / tokens[i]);
                    count.put(languages.get(i), tokens[i]);
                }
            }
            return new Result(loss, count, stats.drain(step, step));
        }
    }
}
