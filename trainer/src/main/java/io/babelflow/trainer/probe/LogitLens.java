package io.babelflow.trainer.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.babelflow.events.LanguageReading;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import io.babelflow.trainer.model.ModelOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Working-language probe: decodes every layer's residual stream at a prompt's last position with
 * the model's own final LayerNorm and output head, and measures the next-byte probability mass on
 * the first byte of the answer in the prompt's (new) language versus the first byte of the
 * equivalent answer in the primary language. The last layer's reading is the model's output.
 */
public final class LogitLens {
    private final String primary;
    private final Map<String, List<ProbePrompt>> prompts;
    private final int contextLength;

    /** @param prompts probe prompts per new language (see {@link ProbePrompts#forRun}) */
    public LogitLens(String primary, Map<String, List<ProbePrompt>> prompts, int contextLength) {
        this.primary = primary;
        this.prompts = Map.copyOf(prompts);
        this.contextLength = contextLength;
    }

    public boolean isEmpty() {
        return prompts.isEmpty();
    }

    /** Per layer, one reading per probe language. */
    public List<List<LanguageReading>> read(LanguageModel model) {
        int layers = model.config().layers();
        List<List<LanguageReading>> byLayer = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            byLayer.add(new ArrayList<>());
        }
        // languages in name order, so readings come out the same in every run
        for (Map.Entry<String, List<ProbePrompt>> entry : new TreeMap<>(prompts).entrySet()) {
            String language = entry.getKey();
            List<ProbePrompt> list = entry.getValue();
            float[][][] distributions = distributions(model, list);
            for (int layer = 0; layer < layers; layer++) {
                double own = 0;
                double primaryMass = 0;
                for (int p = 0; p < list.size(); p++) {
                    own += distributions[layer][p][list.get(p).answerNewFirstByte()];
                    primaryMass += distributions[layer][p][list.get(p).answerPrimaryFirstByte()];
                }
                Map<String, Double> mass = new LinkedHashMap<>();
                mass.put(language, own / list.size());
                mass.put(primary, primaryMass / list.size());
                byLayer.get(layer).add(new LanguageReading(language, list.size(), mass));
            }
        }
        return byLayer;
    }

    /**
     * Next-byte distributions [layer][prompt][256] decoded from each layer's residual stream at the
     * prompt's last byte. Prompts longer than the context keep their last {@code contextLength} bytes;
     * shorter ones are right-padded, which the causal mask keeps from reaching the last position.
     */
    public float[][][] distributions(LanguageModel model, List<ProbePrompt> list) {
        int n = list.size();
        byte[][] bytes = list.stream().map(p -> {
            byte[] b = p.promptBytes();
            return b.length > contextLength ? Arrays.copyOfRange(b, b.length - contextLength, b.length) : b;
        }).toArray(byte[][]::new);
        int width = Arrays.stream(bytes).mapToInt(b -> b.length).max().orElse(1);
        long[] tokens = new long[n * width];
        float[] last = new float[n * width];
        for (int p = 0; p < n; p++) {
            for (int j = 0; j < bytes[p].length; j++) {
                tokens[p * width + j] = bytes[p][j] & 0xFF;
            }
            last[p * width + bytes[p].length - 1] = 1f;
        }
        int layers = model.config().layers();
        float[][][] result = new float[layers][n][];
        try (NDManager scope = model.manager().newSubManager()) {
            ModelOutput out = model.forward(scope.create(tokens, new Shape(n, width)), false);
            NDArray lastPosition = scope.create(last, new Shape(n, 1, width));
            for (int layer = 0; layer < layers; layer++) {
                NDArray residual = lastPosition.matMul(out.residuals().get(layer)); // [n, 1, D]
                float[] probs = model.readout(residual).softmax(-1).toFloatArray();
                for (int p = 0; p < n; p++) {
                    result[layer][p] = Arrays.copyOfRange(probs, p * ModelConfig.VOCAB_SIZE, (p + 1) * ModelConfig.VOCAB_SIZE);
                }
            }
        }
        return result;
    }
}
