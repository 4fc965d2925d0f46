package io.babelflow.streams.reweighting;

import java.util.Arrays;

/**
 * Euclidean projection onto a box-constrained simplex {@code {w : Σw = 1, lo ≤ w ≤ hi}}: the one
 * point of the feasible set nearest a target, so floors and ceilings still hold after normalising,
 * which rescaling would break.
 */
final class SimplexProjection {
    private SimplexProjection() {
    }

    /**
     * The projection of {@code t} (requires Σlo ≤ 1 ≤ Σhi): {@code w_i = clamp(t_i + τ, lo_i, hi_i)}.
     * The sum is piecewise linear and non-decreasing in τ with breakpoints {@code lo_i − t_i} and
     * {@code hi_i − t_i}; τ is interpolated on the segment where it crosses 1.
     */
    static double[] project(double[] t, double[] lo, double[] hi) {
        int k = t.length;
        double[] breaks = new double[2 * k];
        for (int i = 0; i < k; i++) {
            breaks[2 * i] = lo[i] - t[i];
            breaks[2 * i + 1] = hi[i] - t[i];
        }
        Arrays.sort(breaks);
        double tau = breaks[2 * k - 1];
        double previous = breaks[0];
        double previousSum = clampedSum(t, lo, hi, previous);
        if (previousSum >= 1) {
            tau = previous;
        } else {
            for (int j = 1; j < 2 * k; j++) {
                double sum = clampedSum(t, lo, hi, breaks[j]);
                if (sum >= 1) {
                    tau = sum == previousSum ? breaks[j]
                            : previous + (1 - previousSum) * (breaks[j] - previous) / (sum - previousSum);
                    break;
                }
                previous = breaks[j];
                previousSum = sum;
            }
        }
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            w[i] = clamp(t[i] + tau, lo[i], hi[i]);
        }
        return w;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double clampedSum(double[] t, double[] lo, double[] hi, double tau) {
        double s = 0;
        for (int i = 0; i < t.length; i++) {
            s += clamp(t[i] + tau, lo[i], hi[i]);
        }
        return s;
    }
}
