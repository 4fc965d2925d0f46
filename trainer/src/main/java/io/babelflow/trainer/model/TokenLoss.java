package io.babelflow.trainer.model;

import ai.djl.ndarray.NDArray;

/** Cross-entropy per predicted token, written out because DJL's SoftmaxCrossEntropyLoss wants a single prediction. */
public final class TokenLoss {
    private TokenLoss() {
    }

    /** Negative log-likelihood [B, T] of {@code targets} [B, T] (int64) under {@code logits} [B, T, V]. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(-1).gather(targets.expandDims(-1), 2).squeeze(-1).neg();
    }
}
