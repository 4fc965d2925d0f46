package io.babelflow.streams.specialization.window;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One layer's activation probabilities in one closed window, kept for neuron-history queries.
 * Stored as 16-bit fixed point ({@link #STEP}, half of float32, a quarter of double: 5.6 MB per
 * window of a 7B model instead of 11.3): the history is for reading, not for selection, and
 * a probability to ±{@code STEP / 2} is far finer than any plot of it.
 *
 * @param values neuron-major {@code [neuron * languages + language]}
 */
public record LayerProbabilities(long windowEnd, List<String> languages, int neurons, float[] values) {
    /** The stored resolution: 1/65535. */
    public static final double STEP = 1.0 / 65535;

    static LayerProbabilities of(long windowEnd, List<String> languages, double[] probabilities) {
        float[] values = new float[probabilities.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) probabilities[i];
        }
        return new LayerProbabilities(windowEnd, languages, probabilities.length / languages.size(), values);
    }

    /** Language to p of one neuron. */
    public Map<String, Double> neuron(int neuron) {
        if (neuron < 0 || neuron >= neurons) {
            throw new IndexOutOfBoundsException("neuron " + neuron + " of " + neurons);
        }
        Map<String, Double> p = new LinkedHashMap<>();
        for (int l = 0; l < languages.size(); l++) {
            p.put(languages.get(l), (double) values[neuron * languages.size() + l]);
        }
        return p;
    }
}
