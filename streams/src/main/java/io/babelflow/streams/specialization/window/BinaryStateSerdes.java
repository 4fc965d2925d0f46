package io.babelflow.streams.specialization.window;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Compact binary serdes for the large state values: merged counts and probability snapshots. */
public final class BinaryStateSerdes {
    private BinaryStateSerdes() {
    }

    public static final Serde<LayerCounts> LAYER_COUNTS = Serdes.serdeFrom(
            (topic, counts) -> counts == null ? null : writeCounts(counts),
            (topic, bytes) -> bytes == null ? null : readCounts(ByteBuffer.wrap(bytes)));

    public static final Serde<LayerProbabilities> LAYER_PROBABILITIES = Serdes.serdeFrom(
            (topic, p) -> p == null ? null : writeProbabilities(p),
            (topic, bytes) -> bytes == null ? null : readProbabilities(ByteBuffer.wrap(bytes)));

    private static byte[] writeCounts(LayerCounts c) {
        List<String> languages = c.languages();
        ByteBuffer out = ByteBuffer.allocate(8 + namesSize(languages)
                + languages.size() * Long.BYTES + c.countsArray().length * Double.BYTES);
        out.putInt(c.neurons());
        writeNames(out, languages);
        for (long t : c.tokensArray()) {
            out.putLong(t);
        }
        out.asDoubleBuffer().put(c.countsArray());
        return out.array();
    }

    private static LayerCounts readCounts(ByteBuffer in) {
        int neurons = in.getInt();
        List<String> languages = readNames(in);
        long[] tokens = new long[languages.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = in.getLong();
        }
        double[] counts = new double[languages.size() * neurons];
        in.asDoubleBuffer().get(counts);
        return new LayerCounts(neurons, languages, tokens, counts);
    }

    private static byte[] writeProbabilities(LayerProbabilities p) {
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + 8 + namesSize(p.languages()) + p.values().length * Float.BYTES);
        out.putLong(p.windowEnd());
        out.putInt(p.neurons());
        writeNames(out, p.languages());
        out.asFloatBuffer().put(p.values());
        return out.array();
    }

    private static LayerProbabilities readProbabilities(ByteBuffer in) {
        long windowEnd = in.getLong();
        int neurons = in.getInt();
        List<String> languages = readNames(in);
        float[] values = new float[neurons * languages.size()];
        in.asFloatBuffer().get(values);
        return new LayerProbabilities(windowEnd, languages, neurons, values);
    }

    private static int namesSize(List<String> names) {
        int size = 0;
        for (String name : names) {
            size += Integer.BYTES + name.getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }

    /** Count (int) then each name as length-prefixed UTF-8. */
    private static void writeNames(ByteBuffer out, List<String> names) {
        out.putInt(names.size());
        for (String name : names) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            out.putInt(bytes.length);
            out.put(bytes);
        }
    }

    private static List<String> readNames(ByteBuffer in) {
        int count = in.getInt();
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            names.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return names;
    }
}
