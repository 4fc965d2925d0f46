package io.babelflow.trainer.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.babelflow.events.LanguageReading;
import io.babelflow.trainer.model.FfnActivation;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogitLensTest {
    static final ModelConfig CONFIG = new ModelConfig(3, 32, 4, 64, 24, FfnActivation.GELU);
    static final List<ProbePrompt> PROMPTS = List.of(
            new ProbePrompt("func main() {\n\tfmt.", "Println", "print"),
            new ProbePrompt("\tcounts := ", "make", "dict"),
            // longer than the context: the lens keeps the last 24 bytes before each predicted byte
            new ProbePrompt("\tlines, err := os.ReadFile(path)\n\tif err != ", "nil", "None"));

    /** The model's own probability of {@code answer} after {@code prompt} by the chain rule: one unpadded forward pass per byte. */
    static double chainRule(LanguageModel model, NDManager scope, String prompt, String answer) {
        byte[] p = prompt.getBytes(StandardCharsets.UTF_8);
        byte[] a = answer.getBytes(StandardCharsets.UTF_8);
        double probability = 1;
        for (int k = 0; k < a.length; k++) {
            byte[] context = Arrays.copyOf(p, p.length + k);
            System.arraycopy(a, 0, context, p.length, k);
            context = Arrays.copyOfRange(context, Math.max(0, context.length - 24), context.length);
            long[] tokens = new long[context.length];
            for (int i = 0; i < context.length; i++) {
                tokens[i] = context[i] & 0xFF;
            }
            float[] next = model.forward(scope.create(tokens, new Shape(1, tokens.length)), false).logits()
                    .get(new NDIndex(":, -1, :")).softmax(-1).toFloatArray();
            probability *= next[a[k] & 0xFF];
        }
        return probability;
    }

    @Test
    void theLastLayersReadingIsTheModelsWholeAnswerProbabilityByTheChainRule() {
        try (LanguageModel model = LanguageModel.create(CONFIG, 8); NDManager scope = model.manager().newSubManager()) {
            LogitLens lens = new LogitLens("python", Map.of("go", PROMPTS), CONFIG.contextLength());
            List<List<LanguageReading>> readings = lens.read(model);
            assertEquals(3, readings.size());
            double go = 0;
            double python = 0;
            for (ProbePrompt p : PROMPTS) {
                go += chainRule(model, scope, p.prompt(), p.answerNew());
                python += chainRule(model, scope, p.prompt(), p.answerPrimary());
            }
            LanguageReading last = readings.get(2).get(0);
            assertEquals("go", last.getProbeLanguage());
            assertEquals(3, last.getPrompts());
            assertEquals(go / 3, last.getAnswerMass().get("go"), 1e-6 * Math.max(1, go));
            assertEquals(python / 3, last.getAnswerMass().get("python"), 1e-6 * Math.max(1, python));
            assertTrue(go / 3 < 1e-3, "a random model gives a 7-byte answer about 256^-7: " + go);
        }
    }

    @Test
    void everyLayersSingleByteAnswersAreADistributionAndLongerAnswersMultiplyOut() {
        try (LanguageModel model = LanguageModel.create(CONFIG, 3)) {
            LogitLens lens = new LogitLens("python", Map.of(), CONFIG.contextLength());
            byte[] prompt = "\tcounts := ".getBytes(StandardCharsets.UTF_8);
            List<byte[]> prompts = new ArrayList<>();
            List<byte[]> answers = new ArrayList<>();
            for (int b = 0; b < 256; b++) {
                prompts.add(prompt);
                answers.add(new byte[] {(byte) b});
            }
            double[][] single = lens.answerProbabilities(model, prompts, answers);
            // "mk" = P(m | prompt) * P(k | prompt m): its first factor is the single-byte reading of "m"
            double[][] twoBytes = lens.answerProbabilities(model, List.of(prompt, "\tcounts := m".getBytes(StandardCharsets.UTF_8)),
                    List.of("mk".getBytes(StandardCharsets.UTF_8), "k".getBytes(StandardCharsets.UTF_8)));
            for (int layer = 0; layer < 3; layer++) {
                assertEquals(1.0, Arrays.stream(single[layer]).sum(), 1e-5, "layer " + layer);
                assertEquals(single[layer]['m'] * twoBytes[layer][1], twoBytes[layer][0], 1e-9, "layer " + layer);
            }
        }
    }

    @Test
    void pairsWhoseAnswersShareAPrefixAreDropped() {
        try (LanguageModel model = LanguageModel.create(CONFIG, 3)) {
            List<ProbePrompt> mixed = List.of(PROMPTS.get(0), new ProbePrompt("fmt.", "printf", "print"));
            LogitLens lens = new LogitLens("python", Map.of("go", mixed, "cpp", List.of(new ProbePrompt("std::", "cout", "count"))),
                    CONFIG.contextLength());
            List<LanguageReading> layer0 = lens.read(model).get(0);
            assertEquals(1, layer0.size(), "cpp has no distinguishable pair left");
            assertEquals(1, layer0.get(0).getPrompts());
            assertTrue(new LogitLens("python", Map.of("cpp", List.of(new ProbePrompt("std::", "cout", "count"))), 24).isEmpty());
        }
    }
}
