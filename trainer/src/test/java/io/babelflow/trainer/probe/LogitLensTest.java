package io.babelflow.trainer.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.babelflow.events.LanguageReading;
import io.babelflow.trainer.model.FfnActivation;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogitLensTest {
    static final ModelConfig CONFIG = new ModelConfig(3, 32, 4, 64, 24, FfnActivation.GELU);
    static final List<ProbePrompt> PROMPTS = List.of(
            new ProbePrompt("func main() {\n\tfmt.", "Println", "print"),
            new ProbePrompt("\tcounts := ", "make", "dict"),
            // longer than the context: the lens keeps its last 24 bytes
            new ProbePrompt("\tlines, err := os.ReadFile(path)\n\tif err != ", "nil", "None"));

    @Test
    void answerMassesAreTheMeanProbabilitiesOfTheAnswersFirstBytes() {
        try (LanguageModel model = LanguageModel.create(CONFIG, 3)) {
            LogitLens lens = new LogitLens("python", Map.of("go", PROMPTS), CONFIG.contextLength());
            float[][][] distributions = lens.distributions(model, PROMPTS);
            List<List<LanguageReading>> readings = lens.read(model);
            assertEquals(3, readings.size());
            for (int layer = 0; layer < 3; layer++) {
                double go = 0;
                double python = 0;
                for (int p = 0; p < PROMPTS.size(); p++) {
                    double sum = 0;
                    for (float x : distributions[layer][p]) {
                        sum += x;
                    }
                    assertEquals(1.0, sum, 1e-5, "a distribution over the 256 bytes");
                    go += distributions[layer][p][PROMPTS.get(p).answerNewFirstByte()];
                    python += distributions[layer][p][PROMPTS.get(p).answerPrimaryFirstByte()];
                }
                LanguageReading reading = readings.get(layer).get(0);
                assertEquals("go", reading.getProbeLanguage());
                assertEquals(3, reading.getPrompts());
                assertEquals(go / 3, reading.getAnswerMass().get("go"), 1e-9);
                assertEquals(python / 3, reading.getAnswerMass().get("python"), 1e-9);
            }
        }
    }

    @Test
    void theLastLayersReadingIsTheModelsOwnNextByteDistribution() {
        try (LanguageModel model = LanguageModel.create(CONFIG, 8); NDManager scope = model.manager().newSubManager()) {
            LogitLens lens = new LogitLens("python", Map.of("go", PROMPTS), CONFIG.contextLength());
            float[][][] distributions = lens.distributions(model, PROMPTS);
            for (int p = 0; p < PROMPTS.size(); p++) {
                byte[] bytes = PROMPTS.get(p).promptBytes();
                bytes = Arrays.copyOfRange(bytes, Math.max(0, bytes.length - 24), bytes.length);
                long[] tokens = new long[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    tokens[i] = bytes[i] & 0xFF;
                }
                // the prompt alone, unpadded: the model's output at its last position
                float[] expected = model.forward(scope.create(tokens, new Shape(1, tokens.length)), false).logits()
                        .get(new NDIndex(":, -1, :")).softmax(-1).toFloatArray();
                assertArrayEquals(expected, distributions[2][p], 1e-5f, "prompt " + p);
            }
        }
    }
}
