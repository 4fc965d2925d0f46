package io.babelflow.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * The named parts of {@link ByteTransformer}'s output list.
 *
 * @param logits         [B, T, 256]
 * @param ffnActivations per layer, post-activation FFN hidden values [B, T, ffnWidth]
 * @param residuals      per layer, the residual stream after the layer [B, T, dModel]
 */
public record ModelOutput(NDArray logits, List<NDArray> ffnActivations, List<NDArray> residuals) {

    public static ModelOutput of(NDList out, int layers) {
        if (out.size() != 1 + 2 * layers) {
            throw new IllegalArgumentException("expected " + (1 + 2 * layers) + " outputs, got " + out.size());
        }
        return new ModelOutput(out.get(0), out.subList(1, 1 + layers), out.subList(1 + layers, 1 + 2 * layers));
    }

    public int layers() {
        return ffnActivations.size();
    }
}
