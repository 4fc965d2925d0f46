package io.babelflow.streams.specialization.lape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Planted matrices whose answer is known: 4 layers × 1024 neurons, languages python (primary), go and
 * cpp, background probabilities uniform in [0, 0.1], and planted neurons at 0.5–0.8: 40 python-only,
 * 40 cpp-only, 30 general (all three), {@code shared} python+go (go within ±10 % of python: a neuron
 * both languages use alike) and {@code own} go-only neurons.
 */
class TransferMeasureTest {
    static final int LAYERS = 4;
    static final int NEURONS = 1024;
    static final int PY = 0;
    static final int GO = 1;
    static final int CPP = 2;

    static double[][] planted(int shared, int own, long seed) {
        Random random = new Random(seed);
        double[][] m = new double[LAYERS][NEURONS * 3];
        for (double[] layer : m) {
            for (int i = 0; i < layer.length; i++) {
                layer[i] = 0.1 * random.nextDouble();
            }
        }
        int next = 0;
        next = plant(m, random, next, 40, PY);
        next = plant(m, random, next, 40, CPP);
        next = plant(m, random, next, 30, PY, GO, CPP);
        next = plant(m, random, next, shared, PY, GO);
        plant(m, random, next, own, GO);
        return m;
    }

    /** Plants {@code count} neurons, spread over the layers, strongly active for {@code languages}. */
    static int plant(double[][] m, Random random, int from, int count, int... languages) {
        for (int k = from; k < from + count; k++) {
            int layer = k % LAYERS;
            int neuron = 7 + 13 * (k / LAYERS); // spread inside the layer, never reused for k < 1024 / 13 * 4
            double p = 0.5 + 0.3 * random.nextDouble();
            for (int l : languages) {
                m[layer][neuron * 3 + l] = p * (1 + 0.2 * (random.nextDouble() - 0.5));
            }
        }
        return from + count;
    }

    static double transfer(double[][] m) {
        int[] layers = {0, 1, 2, 3};
        LapeResult lape = new LapeSelector(LapeParameters.DEFAULTS)
                .select(new ActivationProbabilities(List.of("python", "go", "cpp"), layers, m));
        return TransferMeasure.ratio(m, 3, PY, GO, lape.activationBar());
    }

    @ParameterizedTest(name = "{0} shared / {1} own → {2}")
    @CsvSource({"40, 0, 1.0", "0, 40, 0.0", "30, 10, 0.75", "20, 20, 0.5", "10, 30, 0.25", "40, 80, 0.333"})
    void theRatioIsTheProportionOfSharedNeurons(int shared, int own, double expected) {
        for (long seed = 1; seed <= 5; seed++) {
            double t = transfer(planted(shared, own, seed));
            assertEquals(expected, t, 0.08, "seed " + seed);
        }
    }

    @Test
    void theQuotaDoesNotMatter() {
        // the LAPE quota here is 1 % of 4096 = 41 neurons: 120 own neurons fill it many times over
        double t = transfer(planted(60, 120, 3));
        assertEquals(1.0 / 3, t, 0.06);
    }

    @Test
    void zeroOneWeightsGiveTheSetRatioAndGeneralNeuronsAreLeftOut() {
        // bar 0.5: neuron 0 python+go, 1 go only, 2 all three (general), 3 python only
        double[] m = {0.9, 0.9, 0.0, /**/ 0.0, 0.9, 0.0, /**/ 0.9, 0.9, 0.9, /**/ 0.9, 0.0, 0.0};
        assertEquals(0.5, TransferMeasure.ratio(m, 3, 0, 1, 0.5), 1e-12);
        // with two languages a shared neuron is not "general": python+go, go only, python+go → 2/3
        double[] two = {0.9, 0.9, /**/ 0.0, 0.9, /**/ 0.9, 0.9};
        assertEquals(2.0 / 3, TransferMeasure.ratio(two, 2, 0, 1, 0.5), 1e-12);
        assertTrue(Double.isNaN(TransferMeasure.ratio(new double[] {0.9, 0.1, 0.1}, 3, 0, 1, 0.5)),
                "go activates nothing above the bar");
    }
}
