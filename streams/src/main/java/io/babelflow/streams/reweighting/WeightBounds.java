package io.babelflow.streams.reweighting;

import io.babelflow.schemas.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The hard limits on one update's weights: per-language floors and ceilings, and the largest change
 * of a language's weight per update. A target is projected onto {@code {w : Σw = 1, lo ≤ w ≤ hi}} with
 * {@code lo = clamp(current − maxChange, floor, ceiling)}, {@code hi = clamp(current + maxChange, floor,
 * ceiling)}; when the current weights lie outside the floors and ceilings (e.g. initial weights below a
 * floor), max-change yields to them.
 */
final class WeightBounds {
    /** Changes below this are rounding, not decisions. */
    static final double TOLERANCE = 1e-12;

    private final double[] floors;
    private final double[] ceilings;
    private final double maxChange;

    /** Throws {@link InvalidInputException} when no mixture can meet the limits. */
    WeightBounds(List<String> languages, Map<String, Double> floorByLanguage, Map<String, Double> ceilingByLanguage,
            double maxChange) {
        int k = languages.size();
        this.floors = new double[k];
        this.ceilings = new double[k];
        for (int i = 0; i < k; i++) {
            String l = languages.get(i);
            floors[i] = floorByLanguage.getOrDefault(l, 0.0);
            ceilings[i] = ceilingByLanguage.getOrDefault(l, 1.0);
            if (!(floors[i] >= 0 && ceilings[i] <= 1 && floors[i] <= ceilings[i])) {
                throw new InvalidInputException("guardrails: language " + l + " has floor " + floors[i]
                        + " and ceiling " + ceilings[i] + "; need 0 <= floor <= ceiling <= 1");
            }
        }
        double floorSum = Arrays.stream(this.floors).sum();
        double ceilingSum = Arrays.stream(this.ceilings).sum();
        if (floorSum > 1 + TOLERANCE) {
            throw new InvalidInputException("guardrails: floors sum to " + floorSum + " > 1; no mixture can meet them");
        }
        if (ceilingSum < 1 - TOLERANCE) {
            throw new InvalidInputException("guardrails: ceilings sum to " + ceilingSum + " < 1; no mixture can meet them");
        }
        if (!(maxChange > 0 && maxChange <= 1)) {
            throw new InvalidInputException("guardrails: maxChange " + maxChange + " must be in (0, 1]");
        }
        this.maxChange = maxChange;
    }

    /** Where a normalised target ends up under the floors and ceilings alone: where the updates head. */
    double[] goal(double[] target) {
        return SimplexProjection.project(target, floors, ceilings);
    }

    /** The weights of this update from {@code current} towards a normalised target: also within max-change. */
    double[] step(double[] current, double[] target, double[] goal) {
        int k = current.length;
        double[] lo = new double[k];
        double[] hi = new double[k];
        double loSum = 0;
        double hiSum = 0;
        for (int i = 0; i < k; i++) {
            lo[i] = SimplexProjection.clamp(current[i] - maxChange, floors[i], ceilings[i]);
            hi[i] = SimplexProjection.clamp(current[i] + maxChange, floors[i], ceilings[i]);
            loSum += lo[i];
            hiSum += hi[i];
        }
        boolean stepLimited = loSum <= 1 + TOLERANCE && hiSum >= 1 - TOLERANCE;
        return stepLimited ? SimplexProjection.project(target, lo, hi) : goal;
    }

    /** Which limits are set, for the note of a limited update. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (Arrays.stream(floors).anyMatch(f -> f > 0)) {
            parts.add("floors");
        }
        if (Arrays.stream(ceilings).anyMatch(c -> c < 1)) {
            parts.add("ceilings");
        }
        if (maxChange < 1) {
            parts.add("max change " + Weights.fmt(maxChange));
        }
        return parts.isEmpty() ? "normalised" : String.join(", ", parts);
    }
}
