package io.babelflow.streams.specialization.bench;

import io.babelflow.streams.specialization.ActivationProbabilities;
import io.babelflow.streams.specialization.LapeParameters;
import io.babelflow.streams.specialization.LapeResult;
import io.babelflow.streams.specialization.LapeSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Times {@link LapeSelector} in-process on a 7B-shaped window: 32 layers x 11008 FFN neurons x
 * 8 languages (2.8 M probabilities), with the reference parameters. Prints the median and best
 * of the timed runs after warm-up.
 * <pre>
 * java -cp ... io.babelflow.streams.specialization.bench.LapeBenchmark [layers neurons languages runs]
 * </pre>
 */
public final class LapeBenchmark {
    private LapeBenchmark() {
    }

    public static void main(String[] args) {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int neurons = args.length > 1 ? Integer.parseInt(args[1]) : 11008;
        int languageCount = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 10;

        List<String> languages = new ArrayList<>();
        for (int l = 0; l < languageCount; l++) {
            languages.add("lang" + l);
        }
        Random random = new Random(2024);
        int[] ids = new int[layers];
        double[][] p = new double[layers][neurons * languageCount];
        for (int layer = 0; layer < layers; layer++) {
            ids[layer] = layer;
            for (int n = 0; n < neurons; n++) {
                // sparse ReLU-like firing; one neuron in 32 prefers a language strongly
                int favourite = random.nextInt(32) == 0 ? random.nextInt(languageCount) : -1;
                for (int l = 0; l < languageCount; l++) {
                    double base = Math.pow(random.nextDouble(), 4) * 0.5;
                    p[layer][n * languageCount + l] = l == favourite ? 0.5 + 0.5 * random.nextDouble() : base;
                }
            }
        }
        ActivationProbabilities snapshot = new ActivationProbabilities(languages, ids, p);
        LapeSelector selector = new LapeSelector(LapeParameters.DEFAULTS);

        for (int i = 0; i < 5; i++) {
            selector.select(snapshot);
        }
        long[] nanos = new long[runs];
        LapeResult result = null;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            result = selector.select(snapshot);
            nanos[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "LapeSelector on %d layers x %d neurons x %d languages (%,d probabilities), %s%n",
                layers, neurons, languageCount, (long) layers * neurons * languageCount, LapeParameters.DEFAULTS);
        System.out.printf(Locale.ROOT, "median %.1f ms, best %.1f ms over %d runs; bar %.4f, %d candidates, %d selected%n",
                nanos[runs / 2] / 1e6, nanos[0] / 1e6, runs, result.probabilityBar(), result.candidates(), result.selected());
    }
}
