package io.babelflow.streams.reweighting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Mixture-weight helpers shared by the policies. Maps are keyed by language id, in the run's order. */
public final class Weights {
    private Weights() {
    }

    /** The run's initial weights normalised; all-zero initial weights mean a uniform mixture. */
    public static Map<String, Double> initial(List<RunLanguage> languages) {
        Map<String, Double> w = new LinkedHashMap<>();
        languages.forEach(l -> w.put(l.id(), l.initialWeight()));
        return sum(w) > 0 ? normalised(w) : uniform(languages.stream().map(RunLanguage::id).toList());
    }

    public static Map<String, Double> uniform(List<String> languages) {
        Map<String, Double> w = new LinkedHashMap<>();
        languages.forEach(l -> w.put(l, 1.0 / languages.size()));
        return w;
    }

    /** {@code w} divided by its sum, same key order; the caller guarantees a positive finite sum. */
    public static Map<String, Double> normalised(Map<String, Double> w) {
        double total = sum(w);
        Map<String, Double> out = new LinkedHashMap<>();
        w.forEach((k, v) -> out.put(k, v / total));
        return out;
    }

    public static double sum(Map<String, Double> w) {
        double total = 0;
        for (double v : w.values()) {
            total += v;
        }
        return total;
    }

    public static double maxAbsDifference(Map<String, Double> a, Map<String, Double> b) {
        double max = 0;
        for (Map.Entry<String, Double> e : a.entrySet()) {
            max = Math.max(max, Math.abs(e.getValue() - b.getOrDefault(e.getKey(), 0.0)));
        }
        for (Map.Entry<String, Double> e : b.entrySet()) {
            if (!a.containsKey(e.getKey())) {
                max = Math.max(max, Math.abs(e.getValue()));
            }
        }
        return max;
    }

    /** {@code en=0.700, zh=0.300}: the form reasons use. */
    public static String format(Map<String, Double> w) {
        return w.entrySet().stream().map(e -> e.getKey() + "=" + fmt(e.getValue())).collect(Collectors.joining(", "));
    }

    public static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
