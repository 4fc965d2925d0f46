package io.babelflow.schemas.mixture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A corpus mixture over time: distributions pinned at positions (steps or tokens), joined by a
 * {@link Curve}, constant before the first and after the last point. Each point is normalised over the
 * run's languages (a language a point leaves out has weight 0 there), so every mixture sums to 1.
 *
 * <p>Two syntaxes build it: the run config's {@code languages[].weight} plus {@code mixture.phases}
 * (a {@link Curve#STEP} schedule over steps) and the {@code schedule} policy's
 * {@code 0:en=0.9,zh=0.1;2000:...} (linear or cosine, over steps or tokens).
 */
public final class MixtureSchedule {

    /** How the mixture moves from one point to the next as the progress u between them goes 0 → 1. */
    public enum Curve {
        /** Holds a point's weights until the next point: a phase switch. */
        STEP {
            @Override
            public double shape(double u) {
                return 0;
            }
        },
        LINEAR {
            @Override
            public double shape(double u) {
                return u;
            }
        },
        /** Half-cosine ease: slow at both ends, so a phase starts and ends without a kink. */
        COSINE {
            @Override
            public double shape(double u) {
                return (1 - Math.cos(Math.PI * u)) / 2;
            }
        };

        public abstract double shape(double u);
    }

    /** Weights at a position; normalised by the schedule. */
    public record Point(double at, Map<String, Double> weights) {
    }

    /** A schedule's mixture at a position, with where it lies, for decision reasons. */
    public record Located(Map<String, Double> weights, String where) {
    }

    private final List<String> languages;
    private final List<Point> points;
    private final Curve curve;

    /**
     * @param points at least one, positions strictly increasing, each point's weights passing
     *        {@link MixtureWeights#problem(Map, Set)}; an {@link IllegalArgumentException} otherwise
     */
    public MixtureSchedule(List<String> languages, List<Point> points, Curve curve) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a mixture schedule needs at least one point");
        }
        this.languages = List.copyOf(languages);
        this.curve = curve;
        Set<String> known = Set.copyOf(languages);
        double previous = Double.NEGATIVE_INFINITY;
        List<Point> normalised = new ArrayList<>();
        for (Point p : points) {
            if (!(p.at() > previous)) {
                throw new IllegalArgumentException("schedule positions must strictly increase, " + num(p.at())
                        + " does not");
            }
            previous = p.at();
            MixtureWeights.problem(p.weights(), known).ifPresent(problem -> {
                throw new IllegalArgumentException("weights at " + num(p.at()) + ": " + problem);
            });
            normalised.add(new Point(p.at(), MixtureWeights.normalised(p.weights(), this.languages)));
        }
        this.points = List.copyOf(normalised);
    }

    public List<String> languages() {
        return languages;
    }

    public List<Point> points() {
        return points;
    }

    public Curve curve() {
        return curve;
    }

    /** The mixture at {@code position}. */
    public Map<String, Double> at(double position) {
        return locate(position).weights();
    }

    /** The mixture at {@code position} with a description of where it lies. */
    public Located locate(double position) {
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        if (position <= first.at()) {
            return new Located(first.weights(), "before the first point " + num(first.at()));
        }
        if (position >= last.at()) {
            return new Located(last.weights(), "at or after the last point " + num(last.at()));
        }
        int i = 0;
        while (points.get(i + 1).at() <= position) {
            i++;
        }
        Point a = points.get(i);
        Point b = points.get(i + 1);
        if (curve == Curve.STEP) {
            return new Located(a.weights(), "in phase from " + num(a.at()));
        }
        double u = (position - a.at()) / (b.at() - a.at());
        double f = curve.shape(u);
        Map<String, Double> w = new LinkedHashMap<>();
        a.weights().forEach((l, wa) -> w.put(l, (1 - f) * wa + f * b.weights().get(l)));
        return new Located(w, String.format(Locale.ROOT, "in phase %s→%s (u=%.3f, %s f=%.3f)", num(a.at()),
                num(b.at()), u, curve.name().toLowerCase(Locale.ROOT), f));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
