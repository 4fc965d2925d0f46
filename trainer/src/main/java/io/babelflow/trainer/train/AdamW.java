package io.babelflow.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter) with global-norm gradient clipping, written over the parameter
 * arrays because DJL's optimizers keep their moments private and a resume must restore them.
 * Weight decay applies to matrices (weights, embeddings), not to biases or LayerNorm gains.
 */
public final class AdamW implements AutoCloseable {
    private final List<Pair<String, Parameter>> parameters;
    private final NDManager manager;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private long steps;

    public AdamW(List<Pair<String, Parameter>> parameters, NDManager parent, double beta1, double beta2,
            double epsilon, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        for (Pair<String, Parameter> p : parameters) {
            NDArray w = p.getValue().getArray();
            firstMoments.add(manager.zeros(w.getShape(), w.getDataType()));
            secondMoments.add(manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /**
     * Applies one update from the accumulated gradients, scaled down first if their global L2 norm
     * exceeds {@code maxGradNorm} (0 = no clipping), then zeroes the gradients.
     *
     * @return the global gradient norm before clipping
     */
    public double step(double learningRate, double maxGradNorm) {
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray> grads = new ArrayList<>(parameters.size());
            NDArray squares = scope.zeros(new ai.djl.ndarray.types.Shape());
            for (Pair<String, Parameter> p : parameters) {
                NDArray g = p.getValue().getArray().getGradient();
                g.attach(scope); // getGradient() hands out a new wrapper each call; free it with the step
                grads.add(g);
                squares = squares.add(g.square().sum());
            }
            double norm = Math.sqrt(squares.getFloat());
            double scale = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1.0;

            steps++;
            double biasCorrection1 = 1 - Math.pow(beta1, steps);
            double biasCorrection2 = 1 - Math.pow(beta2, steps);
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).getValue().getArray();
                NDArray m = firstMoments.get(i);
                NDArray v = secondMoments.get(i);
                NDArray g = grads.get(i);
                // temporaries of ops on w, m and v go to the step scope instead of their long-lived managers
                scope.tempAttachAll(w, m, v);
                NDArray clipped = scale < 1 ? g.mul(scale) : g;
                if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                    w.muli(1 - learningRate * weightDecay);
                }
                m.muli(beta1).addi(clipped.mul(1 - beta1));
                v.muli(beta2).addi(clipped.square().muli(1 - beta2));
                NDArray update = m.div(biasCorrection1).divi(v.div(biasCorrection2).sqrt().addi(epsilon));
                w.subi(update.muli(learningRate));
                g.subi(g);
            }
            return norm;
        }
    }

    /** Updates applied so far (the bias-correction counter). */
    public long steps() {
        return steps;
    }

    /** Moments as a named list ({@code m.<parameter>}, {@code v.<parameter>}) for a checkpoint. */
    public NDList moments() {
        NDList list = new NDList(2 * parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i).getKey();
            firstMoments.get(i).setName("m." + name);
            secondMoments.get(i).setName("v." + name);
            list.add(firstMoments.get(i));
            list.add(secondMoments.get(i));
        }
        return list;
    }

    /** Restores moments saved by {@link #moments} and the update counter. */
    public void restore(NDList moments, long steps) {
        if (moments.size() != 2 * parameters.size()) {
            throw new IllegalArgumentException("optimizer state has " + moments.size() + " arrays, expected "
                    + 2 * parameters.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i).getKey();
            copyInto(firstMoments.get(i), moments.get(2 * i), "m." + name);
            copyInto(secondMoments.get(i), moments.get(2 * i + 1), "v." + name);
        }
        this.steps = steps;
    }

    private static void copyInto(NDArray target, NDArray source, String name) {
        if (!name.equals(source.getName()) || !target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException("optimizer state " + source.getName() + " " + source.getShape()
                    + " does not match " + name + " " + target.getShape());
        }
        source.copyTo(target);
    }

    @Override
    public void close() {
        manager.close();
    }
}
