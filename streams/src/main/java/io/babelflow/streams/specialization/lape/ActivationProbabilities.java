package io.babelflow.streams.specialization.lape;

import java.util.List;

/**
 * Activation probabilities p = activeCount / tokens of every FFN neuron of a model for every
 * language in one window: the input of {@link LapeSelector}. Stored neuron-major per layer
 * ({@code p[layer][neuron * languages + language]}) so one neuron's languages are adjacent.
 */
public final class ActivationProbabilities {
    private final List<String> languages;
    private final int[] layers;
    private final double[][] probabilities;

    /**
     * @param languages     column order of every layer's matrix
     * @param layers        layer id of each matrix (a window closed incomplete may lack some)
     * @param probabilities per layer, neuron-major {@code [neuron * languages.size() + language]}
     */
    public ActivationProbabilities(List<String> languages, int[] layers, double[][] probabilities) {
        if (layers.length != probabilities.length) {
            throw new IllegalArgumentException(layers.length + " layer ids for " + probabilities.length + " matrices");
        }
        for (double[] layer : probabilities) {
            if (languages.isEmpty() || layer.length % languages.size() != 0) {
                throw new IllegalArgumentException("matrix of " + layer.length + " values is not neurons x "
                        + languages.size() + " languages");
            }
        }
        this.languages = List.copyOf(languages);
        this.layers = layers.clone();
        this.probabilities = probabilities;
    }

    public List<String> languages() {
        return languages;
    }

    public int languageCount() {
        return languages.size();
    }

    public int layerCount() {
        return layers.length;
    }

    /** Layer id of the i-th matrix. */
    public int layer(int index) {
        return layers[index];
    }

    public int neurons(int index) {
        return probabilities[index].length / languages.size();
    }

    public double probability(int index, int neuron, int language) {
        return probabilities[index][neuron * languages.size() + language];
    }

    /** The i-th layer's matrix itself (not a copy), neuron-major. */
    public double[] matrix(int index) {
        return probabilities[index];
    }
}
