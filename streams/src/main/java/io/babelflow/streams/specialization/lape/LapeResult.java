package io.babelflow.streams.specialization.lape;

import java.util.List;
import java.util.Map;

/**
 * Outcome of one LAPE selection over a model.
 *
 * @param probabilityBar the filter_rate percentile of all activation probabilities
 * @param activationBar  the activation_bar_ratio percentile (equal to probabilityBar by default)
 * @param candidates     neurons whose largest probability exceeds probabilityBar
 * @param selected       neurons selected (lowest entropy among the candidates)
 * @param layers         per layer, in the order of the input
 */
public record LapeResult(double probabilityBar, double activationBar, int candidates, int selected,
        List<LayerSelection> layers) {

    /**
     * @param meanEntropy mean LAPE entropy over the layer's neurons that fired for some language
     *                    (0 when none did)
     * @param specific    language to the sorted ids of the selected neurons assigned to it; every
     *                    language of the input is a key
     */
    public record LayerSelection(int layer, int neurons, double meanEntropy, Map<String, int[]> specific) {
    }
}
