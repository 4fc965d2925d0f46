package io.babelflow.streams.specialization.lape;

/**
 * Parameters of the LAPE selection, with the reference defaults of Tang et al. (2024),
 * {@code identify.py}: {@code filter_rate = 0.95}, {@code top_rate = 0.01},
 * {@code activation_bar_ratio = 0.95}.
 *
 * @param filterRate         percentile (as a fraction) of all activation probabilities of the model
 *                           that a neuron's largest probability must exceed to be a candidate
 * @param topRate            fraction of all neurons of the model to select, lowest entropy first
 * @param activationBarRatio percentile of all activation probabilities a selected neuron's
 *                           probability for a language must exceed to be assigned to it
 */
public record LapeParameters(double filterRate, double topRate, double activationBarRatio) {
    public static final LapeParameters DEFAULTS = new LapeParameters(0.95, 0.01, 0.95);

    public LapeParameters {
        requireFraction("filterRate", filterRate);
        requireFraction("topRate", topRate);
        requireFraction("activationBarRatio", activationBarRatio);
    }

    private static void requireFraction(String name, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], was " + value);
        }
    }
}
