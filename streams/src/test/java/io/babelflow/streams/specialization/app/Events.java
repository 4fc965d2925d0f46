package io.babelflow.streams.specialization.app;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.PackedFloats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Hand-built telemetry for the topology tests. */
final class Events {
    static final String RUN = "run-1";
    static final List<String> LANGUAGES = List.of("python", "go");

    private Events() {
    }

    static RunStarted runStarted(int layers, int neurons, int worldSize) {
        return RunStarted.newBuilder()
                .setRunId(RUN).setRank(0).setWorldSize(worldSize).setSequence(0)
                .setStartedAt(Instant.EPOCH).setStartStep(0).setConfig("{}")
                .setLanguages(List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.5),
                        new LanguageSpec("go", LanguageRole.NEW, 0.5)))
                .setModel(new ModelShape(layers, 16, 2, neurons, 64, 256))
                .build();
    }

    /** One rank's record; counts are [language][neuron]. */
    static ActivationStats stats(int rank, int worldSize, long windowStart, long windowEnd, int layer, int layers,
            long[] tokens, float[][] counts) {
        int neurons = counts[0].length;
        float[] packed = new float[counts.length * neurons];
        for (int l = 0; l < counts.length; l++) {
            System.arraycopy(counts[l], 0, packed, l * neurons, neurons);
        }
        float[] sums = new float[packed.length];
        Arrays.fill(sums, 1.5f);
        return ActivationStats.newBuilder()
                .setRunId(RUN).setRank(rank).setWorldSize(worldSize).setSequence(layer)
                .setSource(StatsSource.HELDOUT).setWindowStart(windowStart).setWindowEnd(windowEnd)
                .setLayer(layer).setLayers(layers).setNeurons(neurons)
                .setLanguages(LANGUAGES)
                .setTokens(Arrays.stream(tokens).boxed().toList())
                .setActiveCounts(PackedFloats.pack(packed))
                .setActivationSums(PackedFloats.pack(sums))
                .build();
    }

    /**
     * Activation probabilities of a model to realise as counts: every neuron fires with p = 0.1
     * for every language unless set otherwise.
     */
    static final class Model {
        final int layers;
        final int neurons;
        final double[][][] p; // [layer][language][neuron]

        Model(int layers, int neurons) {
            this.layers = layers;
            this.neurons = neurons;
            p = new double[layers][LANGUAGES.size()][neurons];
            for (double[][] layer : p) {
                for (double[] row : layer) {
                    Arrays.fill(row, 0.1);
                }
            }
        }

        Model set(int layer, int neuron, double python, double go) {
            p[layer][0][neuron] = python;
            p[layer][1][neuron] = go;
            return this;
        }

        /**
         * Rank 0 sees 1000 tokens per language and fires at 0.8 p, rank 1 sees 3000 and fires at
         * p · 16/15, so only their sum by addition gives back p (4000 tokens).
         */
        List<ActivationStats> ranks(long windowStart, long windowEnd) {
            List<ActivationStats> records = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                long tokens = rank == 0 ? 1000 : 3000;
                for (int layer = 0; layer < layers; layer++) {
                    float[][] counts = new float[LANGUAGES.size()][neurons];
                    for (int l = 0; l < LANGUAGES.size(); l++) {
                        for (int n = 0; n < neurons; n++) {
                            double total = p[layer][l][n] * 4000;
                            counts[l][n] = Math.round(rank == 0 ? total * 0.2 : total * 0.8);
                        }
                    }
                    records.add(stats(rank, 2, windowStart, windowEnd, layer, layers,
                            new long[] {tokens, tokens}, counts));
                }
            }
            return records;
        }
    }

    static WorkingLanguage workingLanguage(long step, int layer, int layers, double goMass, double pythonMass) {
        return WorkingLanguage.newBuilder()
                .setRunId(RUN).setRank(0).setSequence(step * 100 + layer).setStep(step)
                .setTimestamp(Instant.EPOCH).setLayer(layer).setLayers(layers)
                .setReadings(List.of(new LanguageReading("go", 16, Map.of("go", goMass, "python", pythonMass))))
                .build();
    }

    static EvalResult eval(long step, double goLoss, double pythonLoss) {
        return EvalResult.newBuilder()
                .setRunId(RUN).setRank(0).setSequence(step).setStep(step).setTimestamp(Instant.EPOCH)
                .setLanguageLoss(Map.of("go", goLoss, "python", pythonLoss))
                .setLanguageTokens(Map.of("go", 1000L, "python", 1000L))
                .build();
    }

    /** A TrainStep of rank 0 with the given weights in force (python gets the rest). */
    static TrainStep trainStep(long step, double goWeight) {
        return TrainStep.newBuilder()
                .setRunId(RUN).setRank(0).setWorldSize(1).setStep(step).setSequence(step)
                .setTimestamp(Instant.EPOCH).setTokens(1024).setLearningRate(1e-3).setLoss(2.0)
                .setLanguageLoss(Map.of("python", 2.0)).setLanguageTokens(Map.of("python", 1024L))
                .setMixtureVersion(0).setMixtureWeights(Map.of("python", 1 - goWeight, "go", goWeight))
                .build();
    }
}
