package io.babelflow.ops.bench;

import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.specialization.lape.ActivationProbabilities;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.lape.LapeResult;
import io.babelflow.streams.specialization.lape.LapeSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Times {@link LapeSelector} in-process on a synthetic window of a model shape (by default 7B's:
 * 32 layers x 11008 FFN neurons x 8 languages, 2.8 M probabilities) with the app's LAPE parameters,
 * after {@link #WARMUP_RUNS} untimed runs.
 */
public final class LapeBenchmark {
    public static final int WARMUP_RUNS = 5;

    /** Timed runs in nanoseconds, sorted, and what the last run selected. */
    public record Result(int layers, int neurons, int languages, LapeParameters parameters, long[] sortedNanos,
            LapeResult lape) {
        public double medianMillis() {
            return sortedNanos[sortedNanos.length / 2] / 1e6;
        }

        public double bestMillis() {
            return sortedNanos[0] / 1e6;
        }
    }

    private LapeBenchmark() {
    }

    public static Result run(int layers, int neurons, int languageCount, int runs, LapeParameters parameters) {
        if (layers < 1 || neurons < 1 || languageCount < 2 || runs < 1) {
            throw new InvalidInputException("need --layers, --neurons and --runs >= 1 and --languages >= 2");
        }
        ActivationProbabilities snapshot = snapshot(layers, neurons, languageCount);
        LapeSelector selector = new LapeSelector(parameters);
        for (int i = 0; i < WARMUP_RUNS; i++) {
            selector.select(snapshot);
        }
        long[] nanos = new long[runs];
        LapeResult result = null;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            result = selector.select(snapshot);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return new Result(layers, neurons, languageCount, parameters, nanos, result);
    }

    /** Sparse ReLU-like firing; one neuron in 32 prefers a language strongly. Seeded: the same every run. */
    private static ActivationProbabilities snapshot(int layers, int neurons, int languageCount) {
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
                int favourite = random.nextInt(32) == 0 ? random.nextInt(languageCount) : -1;
                for (int l = 0; l < languageCount; l++) {
                    double base = Math.pow(random.nextDouble(), 4) * 0.5;
                    p[layer][n * languageCount + l] = l == favourite ? 0.5 + 0.5 * random.nextDouble() : base;
                }
            }
        }
        return new ActivationProbabilities(languages, ids, p);
    }
}
