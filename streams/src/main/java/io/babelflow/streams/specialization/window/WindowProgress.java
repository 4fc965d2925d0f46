package io.babelflow.streams.specialization.window;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which (rank, layer) pairs of one window have been merged. The window is complete when every
 * layer of every rank of the world has reported, since LAPE's percentile bar is taken over the
 * whole model; otherwise it is closed after a grace period, measured in wall-clock time from its
 * first record, as incomplete.
 *
 * @param reported sorted {@code rank * layers + layer} of the merged pairs
 */
public record WindowProgress(long windowStart, int worldSize, int layers, int neurons, long firstSeenMs,
        long lastTimestamp, int[] reported) {

    public static WindowProgress open(long windowStart, int worldSize, int layers, int neurons, long nowMs) {
        return new WindowProgress(windowStart, worldSize, layers, neurons, nowMs, 0L, new int[0]);
    }

    /** Why a record cannot belong to this window, or null when it can. */
    public String mismatch(long recordWindowStart, int recordWorldSize, int recordLayers, int recordNeurons) {
        if (recordWindowStart != windowStart) {
            return "windowStart " + recordWindowStart + " differs from " + windowStart + " of the window's first record";
        }
        if (recordWorldSize != worldSize) {
            return "worldSize " + recordWorldSize + " differs from " + worldSize + " of the window's first record";
        }
        if (recordLayers != layers) {
            return "layers " + recordLayers + " differs from " + layers + " of the window's first record";
        }
        if (recordNeurons != neurons) {
            return "neurons " + recordNeurons + " differs from " + neurons + " of the window's first record";
        }
        return null;
    }

    public boolean hasReported(int rank, int layer) {
        return Arrays.binarySearch(reported, rank * layers + layer) >= 0;
    }

    public WindowProgress withReported(int rank, int layer, long timestamp) {
        int slot = rank * layers + layer;
        int at = Arrays.binarySearch(reported, slot);
        if (at >= 0) {
            throw new IllegalStateException("rank " + rank + " layer " + layer + " already merged");
        }
        int insert = -at - 1;
        int[] next = new int[reported.length + 1];
        System.arraycopy(reported, 0, next, 0, insert);
        next[insert] = slot;
        System.arraycopy(reported, insert, next, insert + 1, reported.length - insert);
        return new WindowProgress(windowStart, worldSize, layers, neurons, firstSeenMs,
                Math.max(lastTimestamp, timestamp), next);
    }

    public boolean complete() {
        return reported.length == worldSize * layers;
    }

    public boolean expired(long nowMs, long graceMs) {
        return nowMs - firstSeenMs >= graceMs;
    }

    /** Ranks that have not reported every layer. */
    public List<Integer> missingRanks() {
        int[] perRank = new int[worldSize];
        for (int slot : reported) {
            perRank[slot / layers]++;
        }
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            if (perRank[r] < layers) {
                missing.add(r);
            }
        }
        return missing;
    }
}
