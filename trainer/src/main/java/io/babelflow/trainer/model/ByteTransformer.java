package io.babelflow.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoder-only transformer over bytes in the GPT-2 layout: token and learned position embeddings,
 * {@code layers} pre-LayerNorm blocks, a final LayerNorm and an untied output head.
 *
 * <p>Input: {@code [tokens int64 (B, T)]} with {@code T <= contextLength}. Output (see
 * {@link ModelOutput}): {@code [logits (B, T, 256), ffn_0 .. ffn_{L-1} (B, T, ffnWidth),
 * residual_0 .. residual_{L-1} (B, T, dModel)]}, so the activation statistics and the logit lens
 * read the training forward pass instead of running a second one.
 */
public final class ByteTransformer extends AbstractBlock {
    private static final byte VERSION = 1;
    private static final float INIT_STD = 0.02f;

    private final ModelConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear head;

    public ByteTransformer(ModelConfig config) {
        super(VERSION);
        this.config = config.validate();
        this.tokenEmbedding = addParameter(Parameter.builder().setName("tokenEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(ModelConfig.VOCAB_SIZE, config.dModel())).build());
        this.positionEmbedding = addParameter(Parameter.builder().setName("positionEmbedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(config.contextLength(), config.dModel())).build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(config)));
        }
        this.finalNorm = addChildBlock("finalNorm", TransformerLayer.featureNorm());
        this.head = addChildBlock("head", Linear.builder().setUnits(ModelConfig.VOCAB_SIZE).optBias(false).build());

        setInitializer(new NormalInitializer(INIT_STD), Parameter.Type.WEIGHT);
        // GPT-2: residual writes get std / sqrt(2L) so the residual stream's variance does not grow with depth
        float residualStd = (float) (INIT_STD / Math.sqrt(2.0 * config.layers()));
        for (TransformerLayer layer : layers) {
            for (Linear projection : layer.residualProjections()) {
                projection.setInitializer(new NormalInitializer(residualStd), Parameter.Type.WEIGHT);
            }
        }
    }

    public ModelConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.singletonOrThrow();
        long t = tokens.getShape().get(1);
        if (t > config.contextLength()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds contextLength " + config.contextLength());
        }
        NDManager scope = tokens.getManager();
        NDArray embeddings = ps.getValue(tokenEmbedding, tokens.getDevice(), training);
        // DENSE: a sparse (row_sparse) gradient is not supported by the PyTorch engine
        NDArray x = Embedding.embedding(tokens, embeddings, SparseFormat.DENSE).head();
        // slice into the caller's scope, not the parameter's manager, so per-step arrays are freed with the step
        NDArray positions = ps.getValue(positionEmbedding, tokens.getDevice(), training).get(scope, new NDIndex(":{}", t));
        x = x.add(positions);

        NDList ffn = new NDList(config.layers());
        NDList residuals = new NDList(config.layers());
        for (TransformerLayer layer : layers) {
            NDList out = layer.forward(ps, new NDList(x), training);
            x = out.get(0);
            residuals.add(x);
            ffn.add(out.get(1));
        }
        NDList result = new NDList(1 + 2 * config.layers());
        result.add(readout(ps, x, training));
        result.addAll(ffn);
        result.addAll(residuals);
        return result;
    }

    /** Final LayerNorm and output head: the logits of a residual stream [B, T, D]; the logit lens applies it to every layer. */
    public NDArray readout(ParameterStore ps, NDArray residual, boolean training) {
        return head.forward(ps, finalNorm.forward(ps, new NDList(residual), training), training).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        long t = inputShapes[0].get(1);
        Shape[] shapes = new Shape[1 + 2 * config.layers()];
        shapes[0] = new Shape(b, t, ModelConfig.VOCAB_SIZE);
        for (int i = 0; i < config.layers(); i++) {
            shapes[1 + i] = new Shape(b, t, config.ffnWidth());
            shapes[1 + config.layers() + i] = new Shape(b, t, config.dModel());
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.dModel());
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        finalNorm.initialize(manager, dataType, hidden);
        head.initialize(manager, dataType, hidden);
    }
}
