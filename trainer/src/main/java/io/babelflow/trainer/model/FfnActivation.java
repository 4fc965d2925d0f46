package io.babelflow.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Non-linearity of the FFN; its output is what the activation statistics count and sum. */
public enum FfnActivation {
    GELU,
    RELU;

    public NDArray apply(NDArray x) {
        return this == GELU ? Activation.gelu(x) : Activation.relu(x);
    }
}
