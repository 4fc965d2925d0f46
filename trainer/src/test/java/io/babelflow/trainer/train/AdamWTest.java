package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {
    static final double B1 = 0.9;
    static final double B2 = 0.95;
    static final double EPS = 1e-8;
    static final double WD = 0.1;

    @Test
    void matchesTheAdamWUpdateRuleWithClippingAndDecayOnMatricesOnly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray matrix = manager.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2));
            NDArray bias = manager.create(new float[] {0.1f, -0.3f});
            Parameter pm = parameter("matrix", matrix);
            Parameter pb = parameter("bias", bias);
            float[] cm = {3f, 0f, -4f, 1f};
            float[] cb = {2f, -1f};
            AdamW adam = new AdamW(List.of(new Pair<>("matrix", pm), new Pair<>("bias", pb)), manager, B1, B2, EPS, WD);

            double[] w = {1, -2, 0.5, 3, 0.1, -0.3};
            double[] m = new double[6];
            double[] v = new double[6];
            double[] c = {3, 0, -4, 1, 2, -1};
            double norm = Math.sqrt(9 + 16 + 1 + 4 + 1);
            double maxNorm = 2.0;
            for (int t = 1; t <= 3; t++) {
                double lr = 0.01 * t;
                // loss = sum(c * w), so the gradient is c
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(matrix.mul(manager.create(cm, new Shape(2, 2))).sum()
                            .add(bias.mul(manager.create(cb)).sum()));
                }
                assertEquals(norm, adam.step(lr, maxNorm), 1e-5);
                double scale = maxNorm / (norm + 1e-6);
                for (int i = 0; i < 6; i++) {
                    double g = c[i] * scale;
                    if (i < 4) {
                        w[i] *= 1 - lr * WD;
                    }
                    m[i] = B1 * m[i] + (1 - B1) * g;
                    v[i] = B2 * v[i] + (1 - B2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(B1, t));
                    double vHat = v[i] / (1 - Math.pow(B2, t));
                    w[i] -= lr * mHat / (Math.sqrt(vHat) + EPS);
                }
                assertArrayEquals(toFloats(w, 0, 4), matrix.toFloatArray(), 1e-6f, "matrix after step " + t);
                assertArrayEquals(toFloats(w, 4, 6), bias.toFloatArray(), 1e-6f, "bias after step " + t);
                assertArrayEquals(new float[4], matrix.getGradient().toFloatArray(), "gradients are zeroed");
            }
            assertEquals(3, adam.steps());
        }
    }

    private static Parameter parameter(String name, NDArray array) {
        array.setRequiresGradient(true);
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(array);
        return p;
    }

    private static float[] toFloats(double[] values, int from, int to) {
        float[] out = new float[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = (float) values[i];
        }
        return out;
    }
}
