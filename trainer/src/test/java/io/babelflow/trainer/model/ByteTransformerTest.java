package io.babelflow.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteTransformerTest {
    static final ModelConfig TINY = new ModelConfig(2, 32, 4, 64, 16, FfnActivation.GELU);

    @Test
    void outputsHaveTheDocumentedShapes() {
        try (LanguageModel model = LanguageModel.create(TINY, 1); NDManager scope = model.manager().newSubManager()) {
            ModelOutput out = model.forward(tokens(scope, "def main():\n    r", 3), false);
            assertEquals(new Shape(3, 16, 256), out.logits().getShape());
            assertEquals(2, out.layers());
            assertEquals(new Shape(3, 16, 64), out.ffnActivations().get(1).getShape());
            assertEquals(new Shape(3, 16, 32), out.residuals().get(0).getShape());
        }
    }

    @Test
    void changingTokenTChangesNoLogitBeforeT() {
        try (LanguageModel model = LanguageModel.create(TINY, 7); NDManager scope = model.manager().newSubManager()) {
            String text = "func main() { fmt.Println(1) }";
            for (int t : new int[] {0, 5, 15}) {
                byte[] a = text.substring(0, 16).getBytes();
                byte[] b = a.clone();
                b[t] = (byte) (b[t] ^ 0x55);
                NDArray la = model.forward(scope.create(toLongs(a), new Shape(1, 16)), false).logits();
                NDArray lb = model.forward(scope.create(toLongs(b), new Shape(1, 16)), false).logits();
                if (t > 0) {
                    NDArray before = la.get(new NDIndex(":, :{}, :", t));
                    assertArrayEquals(before.toFloatArray(), lb.get(new NDIndex(":, :{}, :", t)).toFloatArray(), 0f,
                            "logits before position " + t + " changed");
                }
                // and the change is visible from t on, so the test would notice a mask that hid everything
                assertFalse(la.get(new NDIndex(":, {}:, :", t)).contentEquals(lb.get(new NDIndex(":, {}:, :", t))));
            }
        }
    }

    @Test
    void savedAndLoadedModelGivesIdenticalLogits(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.params");
        float[] expected;
        try (LanguageModel model = LanguageModel.create(TINY, 3); NDManager scope = model.manager().newSubManager()) {
            expected = model.forward(tokens(scope, "import numpy as np", 2), false).logits().toFloatArray();
            model.save(file);
        }
        try (LanguageModel other = LanguageModel.create(TINY, 99); NDManager scope = other.manager().newSubManager()) {
            float[] before = other.forward(tokens(scope, "import numpy as np", 2), false).logits().toFloatArray();
            assertFalse(java.util.Arrays.equals(expected, before), "different seeds should give different models");
            other.load(file);
            assertArrayEquals(expected, other.forward(tokens(scope, "import numpy as np", 2), false).logits().toFloatArray(), 0f);
        }
    }

    @Test
    void sameSeedGivesSameParameters() {
        try (LanguageModel a = LanguageModel.create(TINY, 5); LanguageModel b = LanguageModel.create(TINY, 5)) {
            var pa = a.parameters();
            var pb = b.parameters();
            assertEquals(pa.size(), pb.size());
            for (int i = 0; i < pa.size(); i++) {
                assertEquals(pa.get(i).getKey(), pb.get(i).getKey());
                assertTrue(pa.get(i).getValue().getArray().contentEquals(pb.get(i).getValue().getArray()), pa.get(i).getKey());
            }
        }
    }

    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
        float[] clean = embeddingGradient(false);
        float[] collected = embeddingGradient(true);
        for (float g : collected) {
            assertTrue(Float.isFinite(g));
        }
        assertArrayEquals(clean, collected, 0f);
    }

    /** Gradient of the token embedding after one backward pass, optionally with a GC that frees unreferenced buffers first. */
    private static float[] embeddingGradient(boolean collectGarbage) throws InterruptedException {
        try (LanguageModel model = LanguageModel.create(TINY, 21); NDManager scope = model.manager().newSubManager()) {
            NDArray tokens = tokens(scope, "for i in range(10):", 2);
            try (var collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.forward(tokens, true).logits().logSoftmax(-1).mean().neg();
                if (collectGarbage) {
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        Thread.sleep(20); // let the Cleaner free direct buffers, then reuse the memory with NaN bytes
                        for (int j = 0; j < 64; j++) {
                            java.nio.ByteBuffer junk = java.nio.ByteBuffer.allocateDirect(4096);
                            while (junk.hasRemaining()) {
                                junk.put((byte) 0xFF);
                            }
                        }
                    }
                }
                collector.backward(loss);
            }
            NDArray grad = model.parameters().get(0).getValue().getArray().getGradient();
            grad.attach(scope);
            return grad.toFloatArray();
        }
    }

    /** {@code batch} rows of the first 16 bytes of text (padded with spaces). */
    static NDArray tokens(NDManager manager, String text, int batch) {
        byte[] bytes = (text + " ".repeat(16)).substring(0, 16).getBytes();
        long[] data = new long[16 * batch];
        for (int i = 0; i < data.length; i++) {
            data[i] = (bytes[i % 16] & 0xFF + i / 16) & 0xFF;
        }
        return manager.create(data, new Shape(batch, 16));
    }

    static long[] toLongs(byte[] bytes) {
        long[] out = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xFF;
        }
        return out;
    }
}
