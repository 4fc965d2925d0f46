package io.babelflow.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head causal self-attention without dropout. Written out instead of DJL's
 * ScaledDotProductAttentionBlock, which applies attention dropout 0.1 by default (training would
 * not be deterministic) and takes its mask as a second input.
 */
public final class CausalSelfAttention extends AbstractBlock {
    private static final byte VERSION = 1;
    /** Added to the scores of future positions; exp() of it underflows to exactly 0. */
    private static final float MASKED = -1e9f;

    private final int heads;
    private final int dModel;
    private final Linear qkv;
    private final Linear projection;

    public CausalSelfAttention(ModelConfig config) {
        super(VERSION);
        this.heads = config.heads();
        this.dModel = config.dModel();
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
        this.projection = addChildBlock("projection", Linear.builder().setUnits(dModel).build());
    }

    /** The output projection writes into the residual stream; the model scales its initialisation. */
    Linear projection() {
        return projection;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long headSize = dModel / heads;

        NDList qkvParts = qkv.forward(ps, new NDList(x), training).head().split(3, 2);
        NDArray q = splitHeads(qkvParts.get(0), b, t, headSize);
        NDArray k = splitHeads(qkvParts.get(1), b, t, headSize);
        NDArray v = splitHeads(qkvParts.get(2), b, t, headSize);

        // Not div(Number): DJL closes that scalar right after the op, yet autograd keeps it for the
        // backward pass, which then reads freed memory once the GC has run (NaN gradients). This one
        // lives in the step's manager until the step ends.
        NDArray scale = x.getManager().create((float) (1 / Math.sqrt(headSize)));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale); // [B, H, T, T]
        NDArray attention = scores.add(futureMask(x.getManager(), t)).softmax(-1);
        NDArray y = attention.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, dModel);
        return projection.forward(ps, new NDList(y), training);
    }

    private NDArray splitHeads(NDArray a, long b, long t, long headSize) {
        return a.reshape(b, t, heads, headSize).transpose(0, 2, 1, 3);
    }

    /** [T, T] additive mask: MASKED where the key position is after the query position. */
    static NDArray futureMask(NDManager manager, long t) {
        NDArray positions = manager.arange((int) t);
        NDArray future = positions.reshape(1, t).gt(positions.reshape(t, 1));
        return future.toType(DataType.FLOAT32, false).mul(MASKED);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        qkv.initialize(manager, dataType, in);
        projection.initialize(manager, dataType, in);
    }
}
