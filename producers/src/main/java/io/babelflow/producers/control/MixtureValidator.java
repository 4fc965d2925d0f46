package io.babelflow.producers.control;

import io.babelflow.events.MixtureUpdate;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Decides whether a MixtureUpdate may replace the weights in force; the reason names what is wrong. */
public final class MixtureValidator {
    private MixtureValidator() {
    }

    /** Empty when valid, otherwise why the update must be rejected. */
    public static Optional<String> problem(MixtureUpdate update, Set<String> languages, long currentVersion) {
        if (update.getVersion() <= currentVersion) {
            return Optional.of("version " + update.getVersion() + " is not newer than version " + currentVersion
                    + " in force");
        }
        Map<String, Double> weights = update.getWeights();
        if (weights == null || weights.isEmpty()) {
            return Optional.of("version " + update.getVersion() + " has no weights");
        }
        double sum = 0;
        for (var e : weights.entrySet()) {
            String lang = e.getKey();
            double w = e.getValue() == null ? Double.NaN : e.getValue();
            if (!languages.contains(lang)) {
                return Optional.of("version " + update.getVersion() + " names language '" + lang
                        + "' that is not in the run (run has " + languages + ")");
            }
            if (!Double.isFinite(w)) {
                return Optional.of("version " + update.getVersion() + ": weight of '" + lang + "' is " + w
                        + ", not a finite number");
            }
            if (w < 0) {
                return Optional.of("version " + update.getVersion() + ": weight of '" + lang + "' is negative ("
                        + w + ")");
            }
            sum += w;
        }
        if (!(sum > 0)) {
            return Optional.of("version " + update.getVersion() + ": weights sum to " + sum + ", not > 0");
        }
        return Optional.empty();
    }
}
