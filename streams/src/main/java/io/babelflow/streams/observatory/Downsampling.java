package io.babelflow.streams.observatory;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * How a series stays bounded: at most {@link #BUCKETS} buckets over x in [0, BUCKETS * width),
 * widths are powers of two, and when a point lands beyond the last bucket the width doubles and
 * neighbouring buckets merge pairwise. A 100k-step series costs the same 512 buckets as a 1k one;
 * a bucket never spans two buckets of the finer grid, so merging is exact for min, max, sum, count.
 */
public final class Downsampling {
    public static final int BUCKETS = 512;

    private Downsampling() {
    }

    /** The narrowest power-of-two width, at least {@code width}, whose grid holds {@code x}. */
    public static long widthFor(long x, long width) {
        long w = Math.max(1, width);
        while (x >= BUCKETS * w) {
            w *= 2;
        }
        return w;
    }

    public static long start(long x, long width) {
        return Math.floorDiv(Math.max(0, x), width) * width;
    }

    /** The buckets of a finer grid merged into the grid of {@code width}, in x order. */
    public static List<Bucket> regrid(Collection<Bucket> buckets, long width) {
        TreeMap<Long, Bucket> merged = new TreeMap<>();
        for (Bucket b : buckets) {
            long s = start(b.start(), width);
            merged.merge(s, b.withStart(s), (a, c) -> a.merge(c, s));
        }
        return List.copyOf(merged.values());
    }
}
