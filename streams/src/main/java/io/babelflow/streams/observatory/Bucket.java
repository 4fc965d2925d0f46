package io.babelflow.streams.observatory;

import java.nio.ByteBuffer;

/**
 * Summary of the points of one series with {@code start <= x < start + width}: min, max and mean
 * of the finite values (so a spike is kept next to the mean it would vanish into), the value at the
 * greatest x, and how many values were NaN or infinite (a diverging loss must stay visible).
 */
public record Bucket(long start, double min, double max, double sum, long count, long lastX, double last,
        long nonFinite) {
    private static final int BYTES = 8 * 8;

    public static Bucket of(long start, long x, double value) {
        return new Bucket(start, Double.NaN, Double.NaN, 0, 0, Long.MIN_VALUE, Double.NaN, 0).add(x, value);
    }

    public Bucket add(long x, double value) {
        boolean finite = Double.isFinite(value);
        long n = count + (finite ? 1 : 0);
        double lo = !finite ? min : count == 0 ? value : Math.min(min, value);
        double hi = !finite ? max : count == 0 ? value : Math.max(max, value);
        boolean newer = x >= lastX;
        return new Bucket(start, lo, hi, sum + (finite ? value : 0), n, newer ? x : lastX, newer ? value : last,
                nonFinite + (finite ? 0 : 1));
    }

    /** Both buckets as one starting at {@code newStart} (for a wider bucket after the series grew). */
    public Bucket merge(Bucket other, long newStart) {
        double lo = count == 0 ? other.min : other.count == 0 ? min : Math.min(min, other.min);
        double hi = count == 0 ? other.max : other.count == 0 ? max : Math.max(max, other.max);
        boolean otherNewer = other.lastX >= lastX;
        return new Bucket(newStart, lo, hi, sum + other.sum, count + other.count,
                otherNewer ? other.lastX : lastX, otherNewer ? other.last : last, nonFinite + other.nonFinite);
    }

    /** Mean of the finite values; NaN when there are none. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    public Bucket withStart(long newStart) {
        return new Bucket(newStart, min, max, sum, count, lastX, last, nonFinite);
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putLong(start).putDouble(min).putDouble(max).putDouble(sum)
                .putLong(count).putLong(lastX).putDouble(last).putLong(nonFinite).array();
    }

    public static Bucket fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new Bucket(b.getLong(), b.getDouble(), b.getDouble(), b.getDouble(), b.getLong(), b.getLong(),
                b.getDouble(), b.getLong());
    }
}
