package io.babelflow.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Packs float matrices into the little-endian float32 byte layout of ActivationStats. */
public final class PackedFloats {
    private PackedFloats() {
    }

    public static ByteBuffer pack(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    public static float[] unpack(ByteBuffer packed) {
        ByteBuffer view = packed.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (view.remaining() % Float.BYTES != 0) {
            throw new IllegalArgumentException("packed float32 array has " + view.remaining()
                    + " bytes, not a multiple of 4");
        }
        float[] values = new float[view.remaining() / Float.BYTES];
        view.asFloatBuffer().get(values);
        return values;
    }
}
