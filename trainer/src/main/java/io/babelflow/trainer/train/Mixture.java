package io.babelflow.trainer.train;

import io.babelflow.schemas.mixture.MixtureWeights;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Immutable corpus-mixture weights in force for a step: normalised, in the run's language order. */
public final class Mixture {
    private final long version;
    private final List<String> languages;
    private final double[] weights;
    private final double[] cumulative;

    /** Normalises {@code weights} (passed {@link MixtureWeights#problem}); languages it leaves out get 0. */
    public Mixture(long version, List<String> languages, Map<String, Double> weights) {
        this.version = version;
        this.languages = List.copyOf(languages);
        this.weights = new double[languages.size()];
        System.arraycopy(MixtureWeights.normalise(weights, languages), 0, this.weights, 0, this.weights.length);
        this.cumulative = new double[languages.size()];
        double acc = 0;
        for (int i = 0; i < this.weights.length; i++) {
            acc += this.weights[i];
            cumulative[i] = acc;
        }
    }

    public long version() {
        return version;
    }

    public List<String> languages() {
        return languages;
    }

    public double weight(int language) {
        return weights[language];
    }

    /** Language index for a uniform draw {@code u} in [0, 1). */
    public int sample(double u) {
        for (int i = 0; i < cumulative.length; i++) {
            if (u < cumulative[i] && weights[i] > 0) {
                return i;
            }
        }
        // rounding left the total a hair below 1: the last language with weight
        for (int i = weights.length - 1; ; i--) {
            if (weights[i] > 0) {
                return i;
            }
        }
    }

    public Map<String, Double> asMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < languages.size(); i++) {
            map.put(languages.get(i), weights[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        return "v" + version + " " + Arrays.toString(weights);
    }
}
