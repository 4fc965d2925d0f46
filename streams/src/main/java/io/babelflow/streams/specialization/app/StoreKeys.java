package io.babelflow.streams.specialization.app;

/**
 * Composite state-store keys. Numbers are zero-padded so the byte order of the UTF-8 keys is the
 * numeric order and prefix scans return one run's windows or one layer's history in step order.
 * Every key starts with the runId, the partitioning key, so a run's entries live in one task.
 */
public final class StoreKeys {
    private static final char SEP = '\u0000';

    private StoreKeys() {
    }

    public static String window(String runId, long windowEnd) {
        return runId + SEP + pad(windowEnd, 19);
    }

    public static String windowLayerPrefix(String runId, long windowEnd) {
        return window(runId, windowEnd) + SEP;
    }

    public static String windowLayer(String runId, long windowEnd, int layer) {
        return windowLayerPrefix(runId, windowEnd) + pad(layer, 6);
    }

    public static String layer(String runId, int layer) {
        return runId + SEP + pad(layer, 6);
    }

    public static String historyPrefix(String runId, int layer) {
        return layer(runId, layer) + SEP;
    }

    public static String history(String runId, int layer, long windowEnd) {
        return historyPrefix(runId, layer) + pad(windowEnd, 19);
    }

    public static String runOf(String key) {
        return key.substring(0, key.indexOf(SEP));
    }

    /** The last numeric field of a key. */
    public static long lastNumber(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf(SEP) + 1));
    }

    /** The second field of a {@link #window} or {@link #windowLayer} key: the window end. */
    public static long windowEndOf(String key) {
        int first = key.indexOf(SEP);
        int second = key.indexOf(SEP, first + 1);
        return Long.parseLong(second < 0 ? key.substring(first + 1) : key.substring(first + 1, second));
    }

    private static String pad(long value, int width) {
        if (value < 0) {
            throw new IllegalArgumentException("negative key field " + value);
        }
        String digits = Long.toString(value);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }
}
