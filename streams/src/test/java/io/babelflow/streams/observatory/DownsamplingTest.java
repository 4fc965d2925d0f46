package io.babelflow.streams.observatory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DownsamplingTest {

    @Test
    void widthDoublesUntilThePointFits() {
        assertEquals(1, Downsampling.widthFor(511, 1));
        assertEquals(2, Downsampling.widthFor(512, 1));
        assertEquals(256, Downsampling.widthFor(100_000, 1)); // 512 * 256 = 131072 > 100000
        assertEquals(4, Downsampling.widthFor(3, 4)); // never narrower
    }

    @Test
    void aBucketKeepsTheSpikeTheMeanHides() {
        Bucket b = Bucket.of(0, 0, 2.0).add(1, 2.0).add(2, 50.0).add(3, 2.0);
        assertEquals(2.0, b.min());
        assertEquals(50.0, b.max());
        assertEquals(14.0, b.mean(), 1e-12);
        assertEquals(2.0, b.last());
        assertEquals(3, b.lastX());
    }

    @Test
    void nonFiniteValuesAreCountedNotAveraged() {
        Bucket b = Bucket.of(0, 0, 1.0).add(1, Double.NaN).add(2, 3.0);
        assertEquals(2.0, b.mean(), 1e-12);
        assertEquals(1, b.nonFinite());
        assertEquals(3.0, b.last());
        Bucket decoded = Bucket.fromBytes(b.toBytes());
        assertEquals(b, decoded);
    }

    @Test
    void regriddingMergesNeighboursExactly() {
        List<Bucket> fine = new ArrayList<>();
        for (long x = 0; x < 8; x++) {
            fine.add(Bucket.of(x, x, x * 10.0));
        }
        List<Bucket> coarse = Downsampling.regrid(fine, 4);
        assertEquals(2, coarse.size());
        Bucket first = coarse.get(0);
        assertEquals(0, first.start());
        assertEquals(0.0, first.min());
        assertEquals(30.0, first.max());
        assertEquals(15.0, first.mean(), 1e-12);
        assertEquals(4, first.count());
        assertEquals(30.0, first.last());
        assertEquals(4, coarse.get(1).start());
        assertEquals(70.0, coarse.get(1).last());
    }

    @Test
    void aHundredThousandStepsStayWithinTheBucketBudget() {
        long width = 1;
        List<Bucket> buckets = new ArrayList<>();
        for (long x = 0; x < 100_000; x++) {
            long w = Downsampling.widthFor(x, width);
            if (w != width) {
                buckets = new ArrayList<>(Downsampling.regrid(buckets, w));
                width = w;
            }
            long start = Downsampling.start(x, width);
            double v = x == 77_777 ? 1e6 : 1.0;
            if (!buckets.isEmpty() && buckets.get(buckets.size() - 1).start() == start) {
                buckets.set(buckets.size() - 1, buckets.get(buckets.size() - 1).add(x, v));
            } else {
                buckets.add(Bucket.of(start, x, v));
            }
        }
        assertTrue(buckets.size() <= Downsampling.BUCKETS, "buckets: " + buckets.size());
        assertEquals(100_000, buckets.stream().mapToLong(Bucket::count).sum());
        assertEquals(1e6, buckets.stream().mapToDouble(Bucket::max).max().orElse(0));
    }
}
