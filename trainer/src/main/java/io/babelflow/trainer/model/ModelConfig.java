package io.babelflow.trainer.model;

import io.babelflow.events.ModelShape;
import io.babelflow.schemas.InvalidInputException;

/** Shape of the byte-level decoder; the {@code model:} section of a run config. */
public record ModelConfig(int layers, int dModel, int heads, int ffnWidth, int contextLength, FfnActivation activation) {
    /** One token per byte value. */
    public static final int VOCAB_SIZE = 256;

    /** Throws {@link InvalidInputException} naming the first field that cannot build a model. */
    public ModelConfig validate() {
        positive("layers", layers);
        positive("dModel", dModel);
        positive("heads", heads);
        positive("ffnWidth", ffnWidth);
        if (contextLength < 2) {
            throw new InvalidInputException("model.contextLength must be at least 2, got " + contextLength);
        }
        if (dModel % heads != 0) {
            throw new InvalidInputException("model.dModel (" + dModel + ") must be divisible by model.heads (" + heads + ")");
        }
        if (activation == null) {
            throw new InvalidInputException("model.activation must be GELU or RELU");
        }
        return this;
    }

    public int headSize() {
        return dModel / heads;
    }

    public ModelShape toShape() {
        return new ModelShape(layers, dModel, heads, ffnWidth, contextLength, VOCAB_SIZE);
    }

    public String describe() {
        return String.format("layers=%d dModel=%d heads=%d ffnWidth=%d contextLength=%d activation=%s",
                layers, dModel, heads, ffnWidth, contextLength, activation);
    }

    /** Names the first field in which {@code other} differs, as "x=1 but y asks x=2"; null when equal. */
    public String differenceFrom(ModelConfig other) {
        String[] names = {"layers", "dModel", "heads", "ffnWidth", "contextLength", "activation"};
        Object[] mine = {layers, dModel, heads, ffnWidth, contextLength, activation};
        Object[] theirs = {other.layers, other.dModel, other.heads, other.ffnWidth, other.contextLength, other.activation};
        for (int i = 0; i < names.length; i++) {
            if (!mine[i].equals(theirs[i])) {
                return "model." + names[i] + "=" + mine[i] + " but model." + names[i] + "=" + theirs[i];
            }
        }
        return null;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new InvalidInputException("model." + name + " must be positive, got " + value);
        }
    }
}
