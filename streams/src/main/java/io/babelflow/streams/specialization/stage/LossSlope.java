package io.babelflow.streams.specialization.stage;

import java.util.List;

/** Least-squares slope of held-out loss against training step, in nats per 1000 steps. */
public final class LossSlope {
    private LossSlope() {
    }

    public record Point(long step, double loss) {
    }

    /** NaN with fewer than two points or when all points share one step. */
    public static double perThousandSteps(List<Point> points) {
        int n = points.size();
        if (n < 2) {
            return Double.NaN;
        }
        double meanX = 0;
        double meanY = 0;
        for (Point p : points) {
            meanX += p.step() / 1000.0;
            meanY += p.loss();
        }
        meanX /= n;
        meanY /= n;
        double sxy = 0;
        double sxx = 0;
        for (Point p : points) {
            double dx = p.step() / 1000.0 - meanX;
            sxy += dx * (p.loss() - meanY);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
