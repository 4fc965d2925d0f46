package io.babelflow.trainer.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.babelflow.events.LanguageReading;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import io.babelflow.trainer.model.ModelOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Working-language probe (logit lens, Wendler et al. 2024): decodes every layer's residual stream
 * with the model's own final LayerNorm and output head and reads the probability of the WHOLE
 * answer, teacher-forced byte by byte (the product of each answer byte's decoded probability given
 * the prompt and the answer's earlier bytes), for the answer in the prompt's (new) language and for
 * the equivalent answer in the primary language. Pairs whose answers share their first byte are
 * dropped, as the logit-lens literature drops pairs whose answers share the first token: their
 * readings could not tell the languages apart where it matters most. The last layer's reading is
 * the model's own probability of the answer.
 */
public final class LogitLens {
    private static final Logger LOG = LoggerFactory.getLogger(LogitLens.class);
    private final String primary;
    private final Map<String, List<ProbePrompt>> prompts;
    private final int contextLength;

    /** @param prompts probe prompts per new language (see {@link ProbePrompts#forRun}) */
    public LogitLens(String primary, Map<String, List<ProbePrompt>> prompts, int contextLength) {
        this.primary = primary;
        Map<String, List<ProbePrompt>> kept = new LinkedHashMap<>();
        prompts.forEach((language, list) -> {
            List<ProbePrompt> distinct = list.stream().filter(LogitLens::distinguishable).toList();
            if (distinct.size() < list.size()) {
                LOG.info("logit lens {}: dropped {} prompt pairs whose answers share a prefix", language,
                        list.size() - distinct.size());
            }
            if (!distinct.isEmpty()) {
                kept.put(language, distinct);
            }
        });
        this.prompts = Map.copyOf(kept);
        this.contextLength = contextLength;
    }

    static boolean distinguishable(ProbePrompt p) {
        byte[] a = p.answerNew().getBytes(StandardCharsets.UTF_8);
        byte[] b = p.answerPrimary().getBytes(StandardCharsets.UTF_8);
        return a.length > 0 && b.length > 0 && a[0] != b[0];
    }

    public boolean isEmpty() {
        return prompts.isEmpty();
    }

    /** Per layer, one reading per probe language: mean whole-answer probability of each language's answer. */
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
            List<byte[]> prefixes = new ArrayList<>();
            List<byte[]> answers = new ArrayList<>();
            for (ProbePrompt p : list) {
                prefixes.add(p.promptBytes());
                answers.add(p.answerNew().getBytes(StandardCharsets.UTF_8));
            }
            for (ProbePrompt p : list) {
                prefixes.add(p.promptBytes());
                answers.add(p.answerPrimary().getBytes(StandardCharsets.UTF_8));
            }
            double[][] probability = answerProbabilities(model, prefixes, answers);
            int n = list.size();
            for (int layer = 0; layer < layers; layer++) {
                double own = 0;
                double primaryMass = 0;
                for (int p = 0; p < n; p++) {
                    own += probability[layer][p];
                    primaryMass += probability[layer][n + p];
                }
                Map<String, Double> mass = new LinkedHashMap<>();
                mass.put(language, own / n);
                mass.put(primary, primaryMass / n);
                byLayer.get(layer).add(new LanguageReading(language, n, mass));
            }
        }
        return byLayer;
    }

    /**
     * Teacher-forced probability [layer][i] of {@code answers[i]} after {@code prompts[i]}: the
     * sequence prompt + answer without its last byte runs through the model once; at each position
     * that predicts an answer byte, the layer's residual stream is decoded and the answer byte's
     * probability taken; the product over the answer's bytes is the answer's probability. Sequences
     * longer than the context keep their last {@code contextLength} bytes (the answer is never cut
     * unless it alone is longer); shorter ones are right-padded, which the causal mask hides.
     */
    public double[][] answerProbabilities(LanguageModel model, List<byte[]> prompts, List<byte[]> answers) {
        int n = prompts.size();
        byte[][] sequences = new byte[n][];
        int[] firstTarget = new int[n]; // position whose next-byte prediction is the answer's first byte
        for (int i = 0; i < n; i++) {
            byte[] prompt = prompts.get(i);
            byte[] answer = answers.get(i);
            byte[] full = Arrays.copyOf(prompt, prompt.length + answer.length);
            System.arraycopy(answer, 0, full, prompt.length, answer.length);
            int inputLength = full.length - 1;
            int start = Math.max(0, inputLength - contextLength);
            sequences[i] = Arrays.copyOfRange(full, start, full.length); // input + the last target byte
            firstTarget[i] = Math.max(0, prompt.length - 1 - start);
        }
        int width = Arrays.stream(sequences).mapToInt(s -> s.length - 1).max().orElse(1);
        long[] tokens = new long[n * width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < sequences[i].length - 1; j++) {
                tokens[i * width + j] = sequences[i][j] & 0xFF;
            }
        }
        int layers = model.config().layers();
        int vocab = ModelConfig.VOCAB_SIZE;
        double[][] result = new double[layers][n];
        try (NDManager scope = model.manager().newSubManager()) {
            ModelOutput out = model.forward(scope.create(tokens, new Shape(n, width)), false);
            for (int layer = 0; layer < layers; layer++) {
                float[] logProbs = model.readout(out.residuals().get(layer)).logSoftmax(-1).toFloatArray();
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int t = firstTarget[i]; t < sequences[i].length - 1; t++) {
                        int target = sequences[i][t + 1] & 0xFF;
                        sum += logProbs[(i * width + t) * vocab + target];
                    }
                    result[layer][i] = Math.exp(sum);
                }
            }
        }
        return result;
    }
}
