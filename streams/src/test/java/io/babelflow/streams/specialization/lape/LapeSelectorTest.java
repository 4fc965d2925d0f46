package io.babelflow.streams.specialization.lape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LapeSelectorTest {
    private static final List<String> LANGUAGES = List.of("python", "go", "rust", "java");

    @Test
    void matchesAStraightforwardImplementationOnARandomMatrix() {
        double[][] p = {randomLayer(new Random(42), 1024)};
        assertMatchesReference(p, LapeParameters.DEFAULTS);
    }

    @Test
    void matchesAStraightforwardImplementationOverSeveralLayersAndUnequalBars() {
        Random random = new Random(7);
        double[][] p = {randomLayer(random, 512), randomLayer(random, 512), randomLayer(random, 512)};
        assertMatchesReference(p, LapeParameters.DEFAULTS);
        assertMatchesReference(p, new LapeParameters(0.9, 0.02, 0.8));
        assertMatchesReference(p, new LapeParameters(0.5, 0.05, 0.95));
    }

    @Test
    void singleLanguageNeuronIsSpecificAndUniformOnesAreNot() {
        // 4 languages x 100 neurons; neuron 3 fires for go only, 5 for python and go, 8 for all equally
        double[] layer = new double[100 * 4];
        Arrays.fill(layer, 0.1);
        set(layer, 3, 0.0, 0.9, 0.0, 0.0);
        set(layer, 5, 0.8, 0.7, 0.0, 0.0);
        set(layer, 8, 0.9, 0.9, 0.9, 0.9);
        LapeResult result = new LapeSelector(new LapeParameters(0.95, 0.02, 0.95))
                .select(new ActivationProbabilities(LANGUAGES, new int[] {0}, new double[][] {layer}));

        // 400 values: 5 zeros, 388 x 0.1, then 0.7, 0.8, 0.9 x 5: the 380th smallest is 0.1
        assertEquals(0.1, result.probabilityBar(), 0.0);
        assertEquals(3, result.candidates());
        assertEquals(2, result.selected(), "round(100 x 0.02) = 2: the uniform neuron has the highest entropy");
        LapeResult.LayerSelection selection = result.layers().get(0);
        assertArrayEquals(new int[] {5}, selection.specific().get("python"));
        assertArrayEquals(new int[] {3, 5}, selection.specific().get("go"));
        assertArrayEquals(new int[0], selection.specific().get("rust"));
        assertArrayEquals(new int[0], selection.specific().get("java"));
    }

    @Test
    void topRateLargerThanTheCandidatesSelectsEveryCandidate() {
        double[] layer = new double[100 * 4];
        Arrays.fill(layer, 0.1);
        set(layer, 8, 0.9, 0.9, 0.9, 0.9);
        LapeResult result = new LapeSelector(new LapeParameters(0.95, 0.05, 0.95))
                .select(new ActivationProbabilities(LANGUAGES, new int[] {0}, new double[][] {layer}));
        assertEquals(1, result.selected());
        for (String language : LANGUAGES) {
            assertArrayEquals(new int[] {8}, result.layers().get(0).specific().get(language));
        }
    }

    @Test
    void rankRoundsHalfToEvenLikePython() {
        assertEquals(2, Percentiles.rank(10, 0.25));
        assertEquals(4, Percentiles.rank(10, 0.35));
        assertEquals(1, Percentiles.rank(10, 0.01));
        assertEquals(3891, Percentiles.rank(4096, 0.95));
    }

    @Test
    void kthSmallestAgreesWithSortingOnManyTies() {
        Random random = new Random(3);
        double[] values = new double[5000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(7) / 7.0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (int k : new int[] {1, 2, 714, 2500, 4999, 5000}) {
            assertEquals(sorted[k - 1], Percentiles.kthSmallest(values.clone(), k), 0.0);
        }
    }

    private static void assertMatchesReference(double[][] p, LapeParameters params) {
        int[] layerIds = new int[p.length];
        Arrays.setAll(layerIds, i -> i);
        LapeResult actual = new LapeSelector(params).select(new ActivationProbabilities(LANGUAGES, layerIds, p));
        Reference expected = reference(p, params);
        assertEquals(expected.bar, actual.probabilityBar(), 0.0);
        assertEquals(expected.activationBar, actual.activationBar(), 0.0);
        assertTrue(actual.selected() > 0);
        for (int layer = 0; layer < p.length; layer++) {
            for (int l = 0; l < LANGUAGES.size(); l++) {
                assertArrayEquals(expected.assigned.get(layer).get(l),
                        actual.layers().get(layer).specific().get(LANGUAGES.get(l)),
                        "layer " + layer + " language " + LANGUAGES.get(l) + " with " + params);
            }
        }
    }

    private record Reference(double bar, double activationBar, List<List<int[]>> assigned) {
    }

    /** identify.py written out literally: full sorts, +inf entropy for non-candidates, topk of all neurons. */
    private static Reference reference(double[][] p, LapeParameters params) {
        int languages = LANGUAGES.size();
        List<Double> all = new ArrayList<>();
        for (double[] layer : p) {
            for (double v : layer) {
                all.add(v);
            }
        }
        List<Double> sorted = new ArrayList<>(all);
        sorted.sort(null);
        double bar = sorted.get((int) Math.round(Math.rint(all.size() * params.filterRate())) - 1);
        double activationBar = sorted.get((int) Math.round(Math.rint(all.size() * params.activationBarRatio())) - 1);
        List<double[]> neurons = new ArrayList<>(); // {layer, neuron, entropy}
        for (int layer = 0; layer < p.length; layer++) {
            for (int n = 0; n < p[layer].length / languages; n++) {
                double sum = 0;
                double max = 0;
                for (int l = 0; l < languages; l++) {
                    sum += p[layer][n * languages + l];
                    max = Math.max(max, p[layer][n * languages + l]);
                }
                double entropy = 0;
                for (int l = 0; l < languages; l++) {
                    double q = sum == 0 ? 0 : p[layer][n * languages + l] / sum;
                    entropy += q > 0 ? -q * Math.log(q) : 0;
                }
                neurons.add(new double[] {layer, n, max > bar ? entropy : Double.POSITIVE_INFINITY});
            }
        }
        neurons.sort(Comparator.comparingDouble((double[] x) -> x[2]));
        int quota = (int) Math.rint(neurons.size() * params.topRate());
        List<List<int[]>> assigned = new ArrayList<>();
        for (int layer = 0; layer < p.length; layer++) {
            List<int[]> perLanguage = new ArrayList<>();
            for (int l = 0; l < languages; l++) {
                final int layerId = layer;
                final int language = l;
                perLanguage.add(neurons.subList(0, quota).stream()
                        .filter(x -> x[0] == layerId && p[layerId][(int) x[1] * languages + language] > activationBar)
                        .mapToInt(x -> (int) x[1]).sorted().toArray());
            }
            assigned.add(perLanguage);
        }
        return new Reference(bar, activationBar, assigned);
    }

    /** Mostly low, spread probabilities; every 16th neuron leans strongly to one language. */
    private static double[] randomLayer(Random random, int neurons) {
        double[] layer = new double[neurons * LANGUAGES.size()];
        for (int n = 0; n < neurons; n++) {
            int favourite = n % 16 == 0 ? random.nextInt(LANGUAGES.size()) : -1;
            for (int l = 0; l < LANGUAGES.size(); l++) {
                double base = Math.pow(random.nextDouble(), 3) * 0.6;
                layer[n * LANGUAGES.size() + l] = l == favourite ? 0.6 + 0.4 * random.nextDouble() : base;
            }
        }
        return layer;
    }

    private static void set(double[] layer, int neuron, double... p) {
        System.arraycopy(p, 0, layer, neuron * p.length, p.length);
    }
}
