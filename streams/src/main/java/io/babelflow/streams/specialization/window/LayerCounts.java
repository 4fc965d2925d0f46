package io.babelflow.streams.specialization.window;

import io.babelflow.events.ActivationStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Activation counts of one layer in one window, merged by addition over the data-parallel ranks
 * (and over records of the same rank, should a trainer split a window). Rows are matched by
 * language id, not position, so ranks may list languages in any order. Sums are kept in double:
 * exact for whole numbers up to 2^53, where a float32 sum over ranks would drift past 2^24.
 */
public final class LayerCounts {
    private final int neurons;
    private final List<String> languages;
    private long[] tokens;
    private double[] counts; // language-major: [language * neurons + neuron]

    public LayerCounts(int neurons) {
        this(neurons, new ArrayList<>(), new long[0], new double[0]);
    }

    LayerCounts(int neurons, List<String> languages, long[] tokens, double[] counts) {
        if (counts.length != languages.size() * neurons || tokens.length != languages.size()) {
            throw new IllegalArgumentException("counts of " + counts.length + " cells and " + tokens.length
                    + " token totals for " + languages.size() + " languages x " + neurons + " neurons");
        }
        this.neurons = neurons;
        this.languages = new ArrayList<>(languages);
        this.tokens = tokens;
        this.counts = counts;
    }

    /** Adds one rank's record of this layer, reading its packed counts in place (no float[] copy). */
    public void add(ActivationStats stats) {
        List<String> recordLanguages = stats.getLanguages();
        List<Long> recordTokens = stats.getTokens();
        ByteBuffer packed = stats.getActiveCounts().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (packed.remaining() != recordLanguages.size() * neurons * Float.BYTES
                || recordTokens.size() != recordLanguages.size()) {
            throw new IllegalArgumentException("record of " + recordLanguages.size() + " languages does not fit "
                    + neurons + " neurons");
        }
        int base = packed.position();
        for (int r = 0; r < recordLanguages.size(); r++) {
            int row = row(recordLanguages.get(r));
            tokens[row] += recordTokens.get(r);
            int to = row * neurons;
            int from = base + r * neurons * Float.BYTES;
            for (int n = 0; n < neurons; n++) {
                counts[to + n] += packed.getFloat(from + n * Float.BYTES);
            }
        }
    }

    /** Adds counts merged elsewhere (other ranks of the same layer and window). */
    public void add(LayerCounts other) {
        if (other.neurons != neurons) {
            throw new IllegalArgumentException("counts of " + other.neurons + " neurons do not fit " + neurons);
        }
        for (int r = 0; r < other.languages.size(); r++) {
            int row = row(other.languages.get(r));
            tokens[row] += other.tokens[r];
            int to = row * neurons;
            int from = r * neurons;
            for (int n = 0; n < neurons; n++) {
                counts[to + n] += other.counts[from + n];
            }
        }
    }

    /** Adds one record: {@code activeCounts} is [languages x neurons], row-major, in the order of {@code languages}. */
    public void add(List<String> recordLanguages, long[] recordTokens, float[] activeCounts) {
        if (activeCounts.length != recordLanguages.size() * neurons || recordTokens.length != recordLanguages.size()) {
            throw new IllegalArgumentException("record of " + recordLanguages.size() + " languages does not fit "
                    + neurons + " neurons");
        }
        for (int r = 0; r < recordLanguages.size(); r++) {
            int row = row(recordLanguages.get(r));
            tokens[row] += recordTokens[r];
            int to = row * neurons;
            int from = r * neurons;
            for (int n = 0; n < neurons; n++) {
                counts[to + n] += activeCounts[from + n];
            }
        }
    }

    private int row(String language) {
        int row = languages.indexOf(language);
        if (row < 0) {
            row = languages.size();
            languages.add(language);
            tokens = Arrays.copyOf(tokens, row + 1);
            counts = Arrays.copyOf(counts, (row + 1) * neurons);
        }
        return row;
    }

    public int neurons() {
        return neurons;
    }

    public List<String> languages() {
        return List.copyOf(languages);
    }

    public long tokens(String language) {
        int row = languages.indexOf(language);
        return row < 0 ? 0 : tokens[row];
    }

    public double count(String language, int neuron) {
        int row = languages.indexOf(language);
        return row < 0 ? 0 : counts[row * neurons + neuron];
    }

    /** Activation probabilities, neuron-major in the given language order; every language must have tokens. */
    public double[] probabilities(List<String> order) {
        double[] p = new double[neurons * order.size()];
        for (int l = 0; l < order.size(); l++) {
            int row = languages.indexOf(order.get(l));
            if (row < 0 || tokens[row] <= 0) {
                throw new IllegalArgumentException("no tokens for " + order.get(l));
            }
            double t = tokens[row];
            int base = row * neurons;
            for (int n = 0; n < neurons; n++) {
                p[n * order.size() + l] = counts[base + n] / t;
            }
        }
        return p;
    }

    long[] tokensArray() {
        return tokens;
    }

    double[] countsArray() {
        return counts;
    }
}
