package io.babelflow.ops.experiment;

import java.util.List;
import java.util.OptionalLong;

/** Numbers a report compares arms by: mean and spread over seeds, and tokens-to-target. No Kafka types. */
public final class SeedStats {
    private SeedStats() {
    }

    /** Mean, sample standard deviation (0 for one value), min and max of one arm's values over seeds. */
    public record Summary(int n, double mean, double sd, double min, double max) {
        public String format() {
            return n == 0 ? "-" : String.format("%.3f ± %.3f (%.3f–%.3f, n=%d)", mean, sd, min, max, n);
        }
    }

    public static Summary summarize(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0.0;
        return new Summary(n, mean, sd, values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    /** One eval point of a run: training tokens since the fork and the held-out loss there. */
    public record Point(long tokens, double loss) {
    }

    /**
     * Tokens a run needed until its held-out loss first reached {@code target} (at or below), read at
     * its eval points in token order; empty when it never did ("not reached").
     */
    public static OptionalLong tokensToTarget(List<Point> curve, double target) {
        for (Point p : curve) {
            if (p.loss() <= target) {
                return OptionalLong.of(p.tokens());
            }
        }
        return OptionalLong.empty();
    }

    /** True when the two arms' means differ by less than the larger of their spreads (sd over seeds). */
    public static boolean withinSpread(Summary a, Summary b) {
        return Math.abs(a.mean() - b.mean()) < Math.max(a.sd(), b.sd());
    }
}
