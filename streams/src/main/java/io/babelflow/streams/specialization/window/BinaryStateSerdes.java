package io.babelflow.streams.specialization.window;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Compact binary serdes for the large values: the layer pieces that cross the repartition topic
 * (with counts) or are changelogged (sources only), and probability snapshots. Counts are whole numbers in practice: they are
 * written as uint16 or int32 whenever every cell fits, else as float64.
 */
public final class BinaryStateSerdes {
    private BinaryStateSerdes() {
    }

    public static final Serde<LayerPiece> LAYER_PIECE = Serdes.serdeFrom(
            (topic, piece) -> piece == null ? null : writePiece(piece, true),
            (topic, bytes) -> bytes == null ? null : readPiece(ByteBuffer.wrap(bytes)));

    /**
     * A piece without its counts: which ranks it holds and where their records are. What the
     * rank-merge and window-merge changelog; the counts are rebuilt from the records after a restart.
     */
    public static final Serde<LayerPiece> LAYER_PIECE_REFS = Serdes.serdeFrom(
            (topic, piece) -> piece == null ? null : writePiece(piece, false),
            (topic, bytes) -> bytes == null ? null : readPiece(ByteBuffer.wrap(bytes)));

    public static final Serde<LayerProbabilities> LAYER_PROBABILITIES = Serdes.serdeFrom(
            (topic, p) -> p == null ? null : writeProbabilities(p),
            (topic, bytes) -> bytes == null ? null : readProbabilities(ByteBuffer.wrap(bytes)));

    private static final byte WHOLE_INT32 = 1;
    private static final byte FLOAT64 = 2;
    private static final byte WHOLE_UINT16 = 3;

    private static int countsSize(LayerCounts c, byte encoding) {
        int cell = encoding == WHOLE_UINT16 ? Character.BYTES : encoding == WHOLE_INT32 ? Integer.BYTES : Double.BYTES;
        return 9 + namesSize(c.languages()) + c.tokensArray().length * Long.BYTES + c.countsArray().length * cell;
    }

    /**
     * The narrowest exact encoding of the counts: 2 bytes a cell when every count is a whole number
     * up to 65535 (a window of up to 65535 tokens per language, or sparse activations), 4 when whole,
     * else 8. What crosses the repartition is half the bytes in the first case.
     */
    private static byte encoding(double[] values) {
        boolean small = true;
        for (double v : values) {
            if (v != (int) v) {
                return FLOAT64;
            }
            small &= v >= 0 && v <= Character.MAX_VALUE;
        }
        return small ? WHOLE_UINT16 : WHOLE_INT32;
    }

    private static void putCounts(ByteBuffer out, LayerCounts c, byte encoding) {
        out.putInt(c.neurons());
        writeNames(out, c.languages());
        for (long t : c.tokensArray()) {
            out.putLong(t);
        }
        double[] counts = c.countsArray();
        out.put(encoding);
        if (encoding == WHOLE_UINT16) {
            CharBuffer cells = out.asCharBuffer();
            for (double v : counts) {
                cells.put((char) v);
            }
            out.position(out.position() + counts.length * Character.BYTES);
        } else if (encoding == WHOLE_INT32) {
            for (double v : counts) {
                out.putInt((int) v);
            }
        } else {
            out.asDoubleBuffer().put(counts);
            out.position(out.position() + counts.length * Double.BYTES);
        }
    }

    private static LayerCounts readCounts(ByteBuffer in) {
        int neurons = in.getInt();
        List<String> languages = readNames(in);
        long[] tokens = new long[languages.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = in.getLong();
        }
        double[] counts = new double[languages.size() * neurons];
        byte mode = in.get();
        if (mode == WHOLE_UINT16) {
            CharBuffer cells = in.asCharBuffer();
            for (int i = 0; i < counts.length; i++) {
                counts[i] = cells.get();
            }
            in.position(in.position() + counts.length * Character.BYTES);
        } else if (mode == WHOLE_INT32) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.getInt();
            }
        } else if (mode == FLOAT64) {
            in.asDoubleBuffer().get(counts);
            in.position(in.position() + counts.length * Double.BYTES);
        } else {
            throw new IllegalArgumentException("unknown counts encoding " + mode);
        }
        return new LayerCounts(neurons, languages, tokens, counts);
    }

    /** Without counts the bytes end after the forwarded ranks; reading them gives empty counts to rebuild. */
    private static byte[] writePiece(LayerPiece p, boolean withCounts) {
        byte encoding = withCounts ? encoding(p.counts().countsArray()) : 0;
        byte[] run = p.runId().getBytes(StandardCharsets.UTF_8);
        int ranks = p.ranks().length;
        ByteBuffer out = ByteBuffer.allocate(4 + run.length + 5 * Long.BYTES + 4 * Integer.BYTES
                + 4 + ranks * (2 * Integer.BYTES + Long.BYTES) + 4 + p.forwarded().length * Integer.BYTES
                + (withCounts ? countsSize(p.counts(), encoding) : 0));
        out.putInt(run.length).put(run);
        out.putLong(p.windowStart()).putLong(p.windowEnd()).putLong(p.openedMs()).putLong(p.pendingSinceMs())
                .putLong(p.lastTimestamp());
        out.putInt(p.layer()).putInt(p.layers()).putInt(p.worldSize()).putInt(p.neurons());
        out.putInt(ranks);
        int[] rankIds = p.ranks();
        for (int i = 0; i < ranks; i++) {
            out.putInt(rankIds[i]).putInt(p.partitions()[i]).putLong(p.offsets()[i]);
        }
        out.putInt(p.forwarded().length);
        for (int r : p.forwarded()) {
            out.putInt(r);
        }
        if (withCounts) {
            putCounts(out, p.counts(), encoding);
        }
        return out.array();
    }

    private static LayerPiece readPiece(ByteBuffer in) {
        byte[] run = new byte[in.getInt()];
        in.get(run);
        long windowStart = in.getLong();
        long windowEnd = in.getLong();
        long openedMs = in.getLong();
        long pendingSinceMs = in.getLong();
        long lastTimestamp = in.getLong();
        int layer = in.getInt();
        int layers = in.getInt();
        int worldSize = in.getInt();
        int neurons = in.getInt();
        int ranks = in.getInt();
        int[] rankIds = new int[ranks];
        int[] partitions = new int[ranks];
        long[] offsets = new long[ranks];
        for (int i = 0; i < ranks; i++) {
            rankIds[i] = in.getInt();
            partitions[i] = in.getInt();
            offsets[i] = in.getLong();
        }
        int[] forwarded = new int[in.getInt()];
        for (int i = 0; i < forwarded.length; i++) {
            forwarded[i] = in.getInt();
        }
        return new LayerPiece(new String(run, StandardCharsets.UTF_8), windowStart, windowEnd, layer, layers,
                worldSize, neurons, openedMs, pendingSinceMs, lastTimestamp, rankIds, partitions, offsets, forwarded,
                in.hasRemaining() ? readCounts(in) : new LayerCounts(neurons));
    }

    /** Probabilities as unsigned 16-bit fixed point, round(p * 65535), p clamped to [0, 1]. */
    private static byte[] writeProbabilities(LayerProbabilities p) {
        float[] values = p.values();
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + 8 + namesSize(p.languages()) + values.length * Character.BYTES);
        out.putLong(p.windowEnd());
        out.putInt(p.neurons());
        writeNames(out, p.languages());
        CharBuffer fixed = out.asCharBuffer();
        for (float v : values) {
            fixed.put((char) Math.round(Math.min(1f, Math.max(0f, v)) * 65535f));
        }
        return out.array();
    }

    private static LayerProbabilities readProbabilities(ByteBuffer in) {
        long windowEnd = in.getLong();
        int neurons = in.getInt();
        List<String> languages = readNames(in);
        float[] values = new float[neurons * languages.size()];
        CharBuffer fixed = in.asCharBuffer();
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (fixed.get() * LayerProbabilities.STEP);
        }
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
