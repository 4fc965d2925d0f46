package io.babelflow.streams.specialization.lape;

/** Order statistics with torch.kthvalue semantics, in linear expected time. */
final class Percentiles {
    private Percentiles() {
    }

    /**
     * The rank torch.kthvalue is called with in the reference: {@code round(n * rate)} with Python's
     * round-half-to-even, kept within 1..n.
     */
    static int rank(int n, double rate) {
        long k = (long) Math.rint(n * rate);
        return (int) Math.max(1, Math.min(n, k));
    }

    /**
     * The k-th smallest value (1-based) of {@code values}, which is reordered. Three-way
     * partitioning keeps it linear on the many equal values (zeros) activation data has.
     */
    static double kthSmallest(double[] values, int k) {
        if (k < 1 || k > values.length) {
            throw new IllegalArgumentException("rank " + k + " outside 1.." + values.length);
        }
        int lo = 0;
        int hi = values.length - 1;
        int target = k - 1;
        long seed = 0x9E3779B97F4A7C15L;
        while (true) {
            if (lo == hi) {
                return values[lo];
            }
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            double pivot = values[lo + (int) Long.remainderUnsigned(seed >>> 11, hi - lo + 1)];
            // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                double v = values[i];
                if (v < pivot) {
                    values[i++] = values[lt];
                    values[lt++] = v;
                } else if (v > pivot) {
                    values[i] = values[gt];
                    values[gt--] = v;
                } else {
                    i++;
                }
            }
            if (target < lt) {
                hi = lt - 1;
            } else if (target > gt) {
                lo = gt + 1;
            } else {
                return pivot;
            }
        }
    }
}
