package io.babelflow.trainer.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link ByteTransformer} with its parameters: owns the DJL {@link Model} (and so the manager the
 * parameters live in), runs the forward pass and saves or loads the parameters.
 */
public final class LanguageModel implements AutoCloseable {
    private final ModelConfig config;
    private final Model model;
    private final ByteTransformer block;
    private ParameterStore parameterStore;

    private LanguageModel(ModelConfig config, Model model, ByteTransformer block) {
        this.config = config;
        this.model = model;
        this.block = block;
        // copy=false: one device, the store hands out the parameter arrays themselves
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    /** A freshly initialised model; the same seed gives the same parameters. */
    public static LanguageModel create(ModelConfig config, long seed) {
        ByteTransformer block = new ByteTransformer(config);
        Model model = Model.newInstance("babelflow-byte-lm", Device.cpu());
        model.setBlock(block);
        Engine.getInstance().setRandomSeed((int) seed);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, config.contextLength()));
        return new LanguageModel(config, model, block);
    }

    public ModelConfig config() {
        return config;
    }

    /** Manager of the parameters; open per-step sub-managers from it. */
    public NDManager manager() {
        return model.getNDManager();
    }

    /** Parameters in a fixed order with stable hierarchical names (the optimizer state is keyed by them). */
    public List<Pair<String, Parameter>> parameters() {
        return block.getParameters().stream().toList();
    }

    /** Forward pass over tokens [B, T] (int64); the outputs live in the tokens' manager. */
    public ModelOutput forward(NDArray tokens, boolean training) {
        NDList out = block.forward(parameterStore, new NDList(tokens), training);
        return ModelOutput.of(out, config.layers());
    }

    /** Final LayerNorm and output head applied to a residual stream [B, T, D]: logits [B, T, 256]. */
    public NDArray readout(NDArray residual) {
        return block.readout(parameterStore, residual, false);
    }

    public void save(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            block.saveParameters(out);
        }
    }

    /** Loads parameters saved by {@link #save}; the caller checks the shape matches (see Checkpoint). */
    public void load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            block.loadParameters(manager(), in);
        } catch (MalformedModelException e) {
            throw new IOException("malformed parameter file " + file + ": " + e.getMessage(), e);
        }
        // loading replaced the arrays: they need gradients again, and the store cached the old ones
        parameters().forEach(p -> p.getValue().getArray().setRequiresGradient(true));
        parameterStore = new ParameterStore(manager(), false);
    }

    public long parameterCount() {
        return parameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum();
    }

    @Override
    public void close() {
        model.close();
    }
}
