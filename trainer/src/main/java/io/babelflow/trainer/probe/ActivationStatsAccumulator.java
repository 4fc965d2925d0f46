package io.babelflow.trainer.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sums, per layer, language and FFN neuron, the tokens whose post-activation value is > 0 and the
 * activation values, over the forward passes of a window. Stays on the engine: per layer the
 * per-sequence counts and sums [B, 2N] are reduced to languages with one matmul by the transposed
 * language one-hot [L, B]; only {@link #drain} copies to the host.
 */
public final class ActivationStatsAccumulator implements AutoCloseable {
    private final NDManager manager;
    private final List<String> languages;
    private final int neurons;
    /** Per layer [L, 2N]: active counts in columns [0, N), activation sums in [N, 2N). */
    private final List<NDArray> totals = new ArrayList<>();
    private final long[] tokens;

    public ActivationStatsAccumulator(NDManager parent, List<String> languages, int layers, int neurons) {
        this.manager = parent.newSubManager();
        this.languages = List.copyOf(languages);
        this.neurons = neurons;
        this.tokens = new long[languages.size()];
        for (int i = 0; i < layers; i++) {
            totals.add(manager.zeros(new Shape(languages.size(), 2L * neurons)));
        }
    }

    /**
     * Adds one forward pass; call with gradient recording off.
     *
     * @param ffnActivations    per layer [B, T, N]
     * @param languageOneHot    [B, L]
     * @param tokensPerLanguage positions per language in this batch (host-side, exact)
     */
    public void add(List<NDArray> ffnActivations, NDArray languageOneHot, long[] tokensPerLanguage) {
        NDArray byLanguage = languageOneHot.transpose();
        for (int layer = 0; layer < totals.size(); layer++) {
            NDArray h = ffnActivations.get(layer);
            // sign(max(h, 0)) is 1 exactly where h > 0, else 0: one float temporary, signed in place;
            // in the training step ~2.5x cheaper on CPU than gt(0) and a boolean-to-float conversion
            NDArray active = h.maximum(0).signi().sum(new int[] {1});
            NDArray perSequence = active.concat(h.sum(new int[] {1}), 1);
            totals.get(layer).addi(byLanguage.matMul(perSequence));
        }
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] += tokensPerLanguage[i];
        }
    }

    public boolean isEmpty() {
        return Arrays.stream(tokens).allMatch(t -> t == 0);
    }

    /** Copies the totals out as a window and starts a new one. */
    public StatsWindow drain(long windowStart, long windowEnd) {
        int l = languages.size();
        List<float[]> counts = new ArrayList<>();
        List<float[]> sums = new ArrayList<>();
        for (NDArray total : totals) {
            float[] all = total.toFloatArray();
            float[] c = new float[l * neurons];
            float[] s = new float[l * neurons];
            for (int row = 0; row < l; row++) {
                System.arraycopy(all, row * 2 * neurons, c, row * neurons, neurons);
                System.arraycopy(all, row * 2 * neurons + neurons, s, row * neurons, neurons);
            }
            counts.add(c);
            sums.add(s);
            total.subi(total);
        }
        StatsWindow window = new StatsWindow(windowStart, windowEnd, languages, tokens.clone(), counts, sums, neurons);
        Arrays.fill(tokens, 0);
        return window;
    }

    /** The running totals (named {@code stats.<layer>}) and token counts, for a checkpoint. */
    public NDList totals() {
        NDList list = new NDList(totals.size());
        for (int i = 0; i < totals.size(); i++) {
            totals.get(i).setName("stats." + i);
            list.add(totals.get(i));
        }
        return list;
    }

    public long[] tokens() {
        return tokens.clone();
    }

    public void restore(NDList saved, long[] savedTokens) {
        if (saved.size() != totals.size() || savedTokens.length != tokens.length) {
            throw new IllegalArgumentException("activation statistics state does not match the model and languages");
        }
        for (int i = 0; i < totals.size(); i++) {
            saved.get(i).copyTo(totals.get(i));
        }
        System.arraycopy(savedTokens, 0, tokens, 0, tokens.length);
    }

    @Override
    public void close() {
        manager.close();
    }
}
