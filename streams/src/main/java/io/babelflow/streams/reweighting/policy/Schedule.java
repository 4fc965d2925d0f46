package io.babelflow.streams.reweighting.policy;

import io.babelflow.streams.reweighting.PolicyParams;
import io.babelflow.streams.reweighting.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A piecewise mixture schedule: distributions pinned at positions (steps or tokens), interpolated
 * between consecutive points by a {@link Curve}, constant before the first and after the last point.
 * Each point is normalised, so every interpolated mixture sums to 1 and the distribution never jumps.
 *
 * <p>Syntax: {@code POS:lang=w,lang=w;POS:...}, e.g. {@code 0:en=0.9,zh=0.1;2000:en=0.5,zh=0.3,en-zh=0.2}.
 * Positions strictly increase and take an optional k, M or B suffix (×10³, ×10⁶, ×10⁹: {@code 2.5M}).
 * Languages a point leaves out have weight 0 there.
 */
public final class Schedule {

    /** How a phase moves from its start to its end distribution as its progress u goes 0 → 1. */
    public enum Curve {
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

    public record Point(double at, Map<String, Double> weights) {
    }

    private final List<Point> points;
    private final Curve curve;

    public Schedule(List<Point> points, Curve curve) {
        this.points = List.copyOf(points);
        this.curve = curve;
    }

    public static Schedule parse(PolicyParams params, String key, String text, Curve curve) {
        List<Point> points = new ArrayList<>();
        for (String phase : text.split(";")) {
            String p = phase.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.indexOf(':');
            if (colon <= 0) {
                throw params.error(key + ": point '" + p + "' is not POSITION:lang=weight,...");
            }
            double at = position(params, key, p.substring(0, colon).trim());
            if (!points.isEmpty() && at <= points.get(points.size() - 1).at()) {
                throw params.error(key + ": positions must strictly increase, " + p.substring(0, colon).trim()
                        + " does not");
            }
            Map<String, Double> given = params.languageMap(key, p.substring(colon + 1), 0, Double.MAX_VALUE, false);
            if (!(Weights.sum(given) > 0)) {
                throw params.error(key + ": the weights at " + p.substring(0, colon).trim() + " are all zero");
            }
            Map<String, Double> w = new LinkedHashMap<>();
            params.languages().forEach(l -> w.put(l, given.getOrDefault(l, 0.0)));
            points.add(new Point(at, Weights.normalised(w)));
        }
        if (points.isEmpty()) {
            throw params.error(key + " has no points");
        }
        return new Schedule(points, curve);
    }

    private static double position(PolicyParams params, String key, String text) {
        double scale = 1;
        String digits = text;
        char last = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
        switch (last) {
            case 'k', 'K' -> scale = 1e3;
            case 'M' -> scale = 1e6;
            case 'B', 'G' -> scale = 1e9;
            default -> {
            }
        }
        if (scale != 1) {
            digits = text.substring(0, text.length() - 1);
        }
        try {
            double at = Double.parseDouble(digits) * scale;
            if (!Double.isFinite(at) || at < 0) {
                throw params.error(key + ": position " + text + " must be a number >= 0");
            }
            return at;
        } catch (NumberFormatException e) {
            throw params.error(key + ": position " + text + " is not a number");
        }
    }

    public List<Point> points() {
        return points;
    }

    /** The mixture at {@code position}. */
    public Map<String, Double> at(double position) {
        return locate(position).weights();
    }

    /** The mixture at {@code position} with a description of where it lies, for decision reasons. */
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
        double u = (position - a.at()) / (b.at() - a.at());
        double f = curve.shape(u);
        Map<String, Double> w = new LinkedHashMap<>();
        a.weights().forEach((l, wa) -> w.put(l, (1 - f) * wa + f * b.weights().get(l)));
        return new Located(w, String.format(Locale.ROOT, "in phase %s→%s (u=%.3f, %s f=%.3f)", num(a.at()),
                num(b.at()), u, curve.name().toLowerCase(Locale.ROOT), f));
    }

    public record Located(Map<String, Double> weights, String where) {
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
