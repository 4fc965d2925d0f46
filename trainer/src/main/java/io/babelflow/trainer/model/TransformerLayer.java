package io.babelflow.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LayerNorm decoder block: {@code x + attn(ln1(x))}, then {@code x + fc2(act(fc1(ln2(x))))}.
 * Returns the new residual stream and the FFN's post-activation hidden values, the neurons the
 * activation statistics describe.
 */
public final class TransformerLayer extends AbstractBlock {
    private static final byte VERSION = 1;

    private final ModelConfig config;
    private final LayerNorm attentionNorm;
    private final CausalSelfAttention attention;
    private final LayerNorm ffnNorm;
    private final Linear ffnIn;
    private final Linear ffnOut;

    public TransformerLayer(ModelConfig config) {
        super(VERSION);
        this.config = config;
        this.attentionNorm = addChildBlock("attentionNorm", featureNorm());
        this.attention = addChildBlock("attention", new CausalSelfAttention(config));
        this.ffnNorm = addChildBlock("ffnNorm", featureNorm());
        this.ffnIn = addChildBlock("ffnIn", Linear.builder().setUnits(config.ffnWidth()).build());
        this.ffnOut = addChildBlock("ffnOut", Linear.builder().setUnits(config.dModel()).build());
    }

    /** LayerNorm over the feature axis of [B, T, D]; DJL's default axis would normalise over time and leak the future. */
    static LayerNorm featureNorm() {
        return LayerNorm.builder().axis(2).build();
    }

    /** The two projections that write into the residual stream. */
    Linear[] residualProjections() {
        return new Linear[] {attention.projection(), ffnOut};
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray attended = attention.forward(ps, attentionNorm.forward(ps, new NDList(x), training), training).head();
        x = x.add(attended);
        NDArray preActivation = ffnIn.forward(ps, ffnNorm.forward(ps, new NDList(x), training), training).head();
        NDArray hidden = config.activation().apply(preActivation);
        x = x.add(ffnOut.forward(ps, new NDList(hidden), training).head());
        return new NDList(x, hidden);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in, new Shape(in.get(0), in.get(1), config.ffnWidth())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        attentionNorm.initialize(manager, dataType, in);
        attention.initialize(manager, dataType, in);
        ffnNorm.initialize(manager, dataType, in);
        ffnIn.initialize(manager, dataType, in);
        ffnOut.initialize(manager, dataType, new Shape(in.get(0), in.get(1), config.ffnWidth()));
    }
}
