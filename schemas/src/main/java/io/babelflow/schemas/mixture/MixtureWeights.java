package io.babelflow.schemas.mixture;

import io.babelflow.events.MixtureUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one rule for corpus-mixture weights, wherever they come from (a run config, a MixtureUpdate on
 * the control topic, a policy's schedule): only the run's languages, every weight finite and >= 0, at
 * least one positive. Weights need not sum to 1; {@link #normalise} makes them, without overflow, so
 * weights that pass the rule always give a usable distribution.
 *
 * <p>Versions: an update must be newer than the latest version received, and at most
 * {@link #MAX_VERSION_JUMP} above it. Policies number their updates 1, 2, 3, … and lift their counter
 * to the trainer's version in force, so a legitimate jump is small (updates compacted away while the
 * trainer was down); the bound keeps one record from claiming a version (say {@code Long.MAX_VALUE})
 * after which no later update could ever be newer.
 */
public final class MixtureWeights {
    /** Largest step from the latest version received to the next accepted one. */
    public static final long MAX_VERSION_JUMP = 1_000_000;

    private MixtureWeights() {
    }

    /** Why the weights break the rule, or empty when they are fine. */
    public static Optional<String> problem(Map<String, Double> weights, Set<String> languages) {
        if (weights == null || weights.isEmpty()) {
            return Optional.of("no weights given");
        }
        boolean positive = false;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (!languages.contains(e.getKey())) {
                return Optional.of("'" + e.getKey() + "' is not one of the run's languages " + new TreeSet<>(languages));
            }
            Double w = e.getValue();
            if (w == null || !Double.isFinite(w)) {
                return Optional.of("weight of '" + e.getKey() + "' is " + w + ", not a finite number");
            }
            if (w < 0) {
                return Optional.of("weight of '" + e.getKey() + "' is negative (" + w + ")");
            }
            positive |= w > 0;
        }
        // finite and >= 0, so the (unoverflowed) sum is positive exactly when one weight is
        return positive ? Optional.empty()
                : Optional.of("weights sum to 0.0; at least one language needs a positive weight");
    }

    /** Why {@code version} may not follow {@code latest}, the latest version received; empty when it may. */
    public static Optional<String> versionProblem(long version, long latest) {
        if (version <= latest) {
            return Optional.of("version " + version + " is not newer: not greater than version " + latest
                    + " already received");
        }
        if (version - latest > MAX_VERSION_JUMP) {
            return Optional.of("version " + version + " jumps more than " + MAX_VERSION_JUMP + " past version "
                    + latest + " already received");
        }
        return Optional.empty();
    }

    /** Why a control-topic update may not replace the weights in force (at version {@code latest}); empty when it may. */
    public static Optional<String> problem(MixtureUpdate update, Set<String> languages, long latest) {
        Optional<String> version = versionProblem(update.getVersion(), latest);
        if (version.isPresent()) {
            return version;
        }
        return problem(update.getWeights(), languages).map(p -> "version " + update.getVersion() + ": " + p);
    }

    /**
     * Weights that passed {@link #problem(Map, Set)} as a distribution over {@code languages} (in that
     * order; languages the map leaves out get 0). Scaled by the largest weight before summing, so even
     * weights near {@code Double.MAX_VALUE} sum to a finite number and at least one entry is positive.
     */
    public static double[] normalise(Map<String, Double> weights, List<String> languages) {
        double max = 0;
        for (String language : languages) {
            max = Math.max(max, weights.getOrDefault(language, 0.0));
        }
        if (!(max > 0) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("weights " + weights + " over " + languages + " break the mixture rule");
        }
        double[] out = new double[languages.size()];
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = weights.getOrDefault(languages.get(i), 0.0) / max;
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** {@link #normalise} as a map in {@code languages} order. */
    public static Map<String, Double> normalised(Map<String, Double> weights, List<String> languages) {
        double[] w = normalise(weights, languages);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < w.length; i++) {
            out.put(languages.get(i), w[i]);
        }
        return out;
    }
}
