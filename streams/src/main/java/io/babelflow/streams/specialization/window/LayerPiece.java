package io.babelflow.streams.specialization.window;

import io.babelflow.events.ActivationStats;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * One layer of one window added up over the ranks that have reported it so far, before the
 * repartition by run: what crosses the repartition topic instead of every rank's record (one
 * matrix per layer instead of one per rank and layer), and what the rank-merge keeps, changelogged,
 * until it forwards it, so a restart between ranks loses nothing and merges nothing twice.
 * <p>
 * Besides the counts it carries the window's shape as its first record gave it, the ranks added
 * (with each record's source partition and offset, so a piece rejected after the repartition
 * still names its records), the time the layer's first record arrived (the window's grace runs
 * from it) and, in the rank-merge's store only, the ranks already forwarded in earlier pieces.
 */
public final class LayerPiece {
    private final String runId;
    private final long windowStart;
    private final long windowEnd;
    private final int layer;
    private final int layers;
    private final int worldSize;
    private final int neurons;
    private final long openedMs;
    private long pendingSinceMs;
    private long lastTimestamp;
    private int[] ranks;
    private int[] partitions;
    private long[] offsets;
    private int[] forwarded;
    private LayerCounts counts;

    LayerPiece(String runId, long windowStart, long windowEnd, int layer, int layers, int worldSize, int neurons,
            long openedMs, long pendingSinceMs, long lastTimestamp, int[] ranks, int[] partitions, long[] offsets,
            int[] forwarded, LayerCounts counts) {
        this.runId = runId;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.layer = layer;
        this.layers = layers;
        this.worldSize = worldSize;
        this.neurons = neurons;
        this.openedMs = openedMs;
        this.pendingSinceMs = pendingSinceMs;
        this.lastTimestamp = lastTimestamp;
        this.ranks = ranks;
        this.partitions = partitions;
        this.offsets = offsets;
        this.forwarded = forwarded;
        this.counts = counts;
    }

    /** An empty piece shaped like {@code first}, its layer's first record, arriving at {@code nowMs}. */
    public static LayerPiece open(ActivationStats first, long nowMs) {
        return new LayerPiece(first.getRunId(), first.getWindowStart(), first.getWindowEnd(), first.getLayer(),
                first.getLayers(), first.getWorldSize(), first.getNeurons(), nowMs, nowMs, 0L, new int[0], new int[0],
                new long[0], new int[0], new LayerCounts(first.getNeurons()));
    }

    /** Why {@code s} cannot be added to this piece's shape, or null. */
    public String mismatch(ActivationStats s) {
        return WindowProgress.open(windowStart, worldSize, layers, neurons, 0)
                .mismatch(s.getWindowStart(), s.getWorldSize(), s.getLayers(), s.getNeurons());
    }

    /** Whether the rank is pending here or was forwarded in an earlier piece. */
    public boolean seen(int rank) {
        return contains(ranks, rank) || contains(forwarded, rank);
    }

    /** Adds one rank's record read at {@code partition}/{@code offset} of the activation topic. */
    public void add(ActivationStats s, int partition, long offset, long timestamp, long nowMs) {
        if (seen(s.getRank())) {
            throw new IllegalStateException("rank " + s.getRank() + " already added");
        }
        if (ranks.length == 0) {
            pendingSinceMs = nowMs;
        }
        counts.add(s);
        ranks = append(ranks, s.getRank());
        partitions = append(partitions, partition);
        offsets = Arrays.copyOf(offsets, offsets.length + 1);
        offsets[offsets.length - 1] = offset;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
    }

    /** Adds another piece of the same layer and window (other ranks): its counts, ranks and sources. */
    public void absorb(LayerPiece other) {
        counts.add(other.counts);
        ranks = concat(ranks, other.ranks);
        partitions = concat(partitions, other.partitions);
        offsets = LongStream.concat(Arrays.stream(offsets), Arrays.stream(other.offsets)).toArray();
        lastTimestamp = Math.max(lastTimestamp, other.lastTimestamp);
    }

    /**
     * Adds the pending ranks' records again, to empty counts, after a restart: {@code record} gives
     * the record at a (partition, offset) of this piece, or null if the topic no longer has it,
     * in which case that rank is dropped and counts as missing from the window.
     */
    public void recount(BiFunction<Integer, Long, ActivationStats> record) {
        counts = new LayerCounts(neurons);
        int kept = 0;
        for (int i = 0; i < ranks.length; i++) {
            ActivationStats s = record.apply(partitions[i], offsets[i]);
            if (s != null) {
                counts.add(s);
                ranks[kept] = ranks[i];
                partitions[kept] = partitions[i];
                offsets[kept] = offsets[i];
                kept++;
            }
        }
        ranks = Arrays.copyOf(ranks, kept);
        partitions = Arrays.copyOf(partitions, kept);
        offsets = Arrays.copyOf(offsets, kept);
    }

    /** Every rank of the world is pending or forwarded: nothing more will come for this layer. */
    public boolean complete() {
        return ranks.length + forwarded.length == worldSize;
    }

    public boolean pending() {
        return ranks.length > 0;
    }

    /**
     * The pending ranks as a piece of their own, to forward; this piece keeps them as forwarded
     * and starts an empty pending part.
     */
    public LayerPiece takePending() {
        LayerPiece out = new LayerPiece(runId, windowStart, windowEnd, layer, layers, worldSize, neurons, openedMs,
                pendingSinceMs, lastTimestamp, ranks, partitions, offsets, new int[0], counts);
        forwarded = concat(forwarded, ranks);
        Arrays.sort(forwarded);
        ranks = new int[0];
        partitions = new int[0];
        offsets = new long[0];
        counts = new LayerCounts(neurons);
        return out;
    }

    public String runId() {
        return runId;
    }

    public long windowStart() {
        return windowStart;
    }

    public long windowEnd() {
        return windowEnd;
    }

    public int layer() {
        return layer;
    }

    public int layers() {
        return layers;
    }

    public int worldSize() {
        return worldSize;
    }

    public int neurons() {
        return neurons;
    }

    /** Wall-clock time the layer's first record arrived at the rank-merge. */
    public long openedMs() {
        return openedMs;
    }

    /** Wall-clock time the first of the pending ranks arrived. */
    public long pendingSinceMs() {
        return pendingSinceMs;
    }

    public long lastTimestamp() {
        return lastTimestamp;
    }

    /** The ranks added up in this piece, in arrival order. */
    public int[] ranks() {
        return ranks.clone();
    }

    public List<Integer> rankList() {
        return Arrays.stream(ranks).boxed().toList();
    }

    /** Source partition of the record of {@code ranks()[i]}. */
    public int partition(int i) {
        return partitions[i];
    }

    /** Source offset of the record of {@code ranks()[i]}. */
    public long offset(int i) {
        return offsets[i];
    }

    int[] forwarded() {
        return forwarded;
    }

    int[] partitions() {
        return partitions;
    }

    long[] offsets() {
        return offsets;
    }

    public LayerCounts counts() {
        return counts;
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    private static int[] concat(int[] first, int[] second) {
        return IntStream.concat(Arrays.stream(first), Arrays.stream(second)).toArray();
    }

    private static int[] append(int[] values, int value) {
        int[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        return out;
    }
}
