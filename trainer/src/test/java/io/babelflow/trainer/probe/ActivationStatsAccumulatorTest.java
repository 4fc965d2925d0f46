package io.babelflow.trainer.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.babelflow.trainer.model.FfnActivation;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import io.babelflow.trainer.model.ModelOutput;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationStatsAccumulatorTest {
    static final List<String> LANGUAGES = List.of("python", "go", "cpp");

    @Test
    void equalsANaivePerTokenCountOverTwoBatches() {
        // ReLU in one model so exact zeros occur and "> 0" is tested at its boundary; GELU in the other
        for (FfnActivation activation : FfnActivation.values()) {
            ModelConfig config = new ModelConfig(2, 16, 2, 24, 8, activation);
            try (LanguageModel model = LanguageModel.create(config, 11);
                    NDManager scope = model.manager().newSubManager();
                    ActivationStatsAccumulator stats = new ActivationStatsAccumulator(scope, LANGUAGES, 2, 24)) {
                int[][] languagesPerBatch = {{0, 2, 0}, {1, 0, 2, 2}};
                float[][] naiveCounts = new float[2][3 * 24];
                float[][] naiveSums = new float[2][3 * 24];
                long[] naiveTokens = new long[3];
                Random random = new Random(5);
                for (int[] languages : languagesPerBatch) {
                    int b = languages.length;
                    long[] tokens = new long[b * 8];
                    for (int i = 0; i < tokens.length; i++) {
                        tokens[i] = random.nextInt(256);
                    }
                    ModelOutput out = model.forward(scope.create(tokens, new Shape(b, 8)), false);
                    float[] oneHot = new float[b * 3];
                    long[] perLanguage = new long[3];
                    for (int s = 0; s < b; s++) {
                        oneHot[s * 3 + languages[s]] = 1f;
                        perLanguage[languages[s]] += 8;
                    }
                    stats.add(out.ffnActivations(), scope.create(oneHot, new Shape(b, 3)), perLanguage);

                    for (int layer = 0; layer < 2; layer++) {
                        float[] h = out.ffnActivations().get(layer).toFloatArray(); // [b, 8, 24]
                        for (int s = 0; s < b; s++) {
                            for (int t = 0; t < 8; t++) {
                                for (int n = 0; n < 24; n++) {
                                    float value = h[(s * 8 + t) * 24 + n];
                                    naiveCounts[layer][languages[s] * 24 + n] += value > 0 ? 1 : 0;
                                    naiveSums[layer][languages[s] * 24 + n] += value;
                                }
                            }
                        }
                    }
                    for (int l = 0; l < 3; l++) {
                        naiveTokens[l] += perLanguage[l];
                    }
                }
                StatsWindow window = stats.drain(0, 1);
                assertArrayEquals(naiveTokens, window.tokens());
                for (int layer = 0; layer < 2; layer++) {
                    assertArrayEquals(naiveCounts[layer], window.activeCounts().get(layer), 0f, activation + " layer " + layer);
                    assertArrayEquals(naiveSums[layer], window.activationSums().get(layer), 1e-4f, activation + " layer " + layer);
                }
                float total = 0;
                for (float c : window.activeCounts().get(0)) {
                    total += c;
                }
                assertTrue(total > 0 && total < 7 * 8 * 24, "some but not all neurons fire");
                assertTrue(stats.isEmpty(), "drain starts a new window");
                assertEquals(0f, stats.drain(2, 2).activeCounts().get(0)[0]);
            }
        }
    }

    @Test
    void totalsSurviveASaveAndRestore() {
        try (NDManager manager = NDManager.newBaseManager();
                ActivationStatsAccumulator a = new ActivationStatsAccumulator(manager, LANGUAGES, 1, 4);
                ActivationStatsAccumulator b = new ActivationStatsAccumulator(manager, LANGUAGES, 1, 4)) {
            NDArray h = manager.create(new float[] {1, -1, 2, 0, 0.5f, 0.5f, -3, 4}, new Shape(1, 2, 4));
            a.add(List.of(h), manager.create(new float[] {0, 1, 0}, new Shape(1, 3)), new long[] {0, 2, 0});
            b.restore(a.totals(), a.tokens());
            StatsWindow wa = a.drain(0, 0);
            StatsWindow wb = b.drain(0, 0);
            assertArrayEquals(new float[] {0, 0, 0, 0, 2, 1, 1, 1, 0, 0, 0, 0}, wb.activeCounts().get(0));
            assertArrayEquals(wa.activationSums().get(0), wb.activationSums().get(0));
            assertArrayEquals(new long[] {0, 2, 0}, wb.tokens());
        }
    }
}
