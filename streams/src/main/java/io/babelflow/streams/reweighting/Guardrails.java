package io.babelflow.streams.reweighting;

import io.babelflow.schemas.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Safety limits applied to every policy, whatever its algorithm.
 *
 * <ul>
 *   <li>{@link #sanitize}: signals lose non-finite and negative values and unknown languages (counted).</li>
 *   <li>{@link #limit}: a target is normalised and projected onto the feasible set
 *       {@code {w : Σw = 1, lo ≤ w ≤ hi}}, where {@code lo = clamp(current − maxChange, floor, ceiling)} and
 *       {@code hi = clamp(current + maxChange, floor, ceiling)}. The Euclidean projection is
 *       {@code w_i = clamp(t_i + τ, lo_i, hi_i)} with the one τ making the sum 1, found exactly on the
 *       piecewise-linear sum; so floors and ceilings still hold after normalising, which rescaling would
 *       break. Floors and ceilings are hard limits: when the current weights lie outside them (e.g. initial
 *       weights below a floor), max-change yields to them.</li>
 *   <li>{@link #due}: at least {@code minSteps} steps and {@code minMillis} of wall time between updates.
 *       The wall time is a parameter, so tests and backtests (which pass recorded timestamps) are
 *       deterministic.</li>
 * </ul>
 *
 * Parameters (shared by all policies): {@code floor}, {@code ceiling} (per-language, see
 * {@link PolicyParams#perLanguage}; defaults 0 and 1), {@code maxChange} (absolute change per language
 * per update; default 1 = off), {@code minSteps} (default 0), {@code minSeconds} (default 0).
 */
public final class Guardrails {
    /** Changes below this are rounding, not decisions. */
    static final double TOLERANCE = 1e-12;

    private final List<String> languages;
    private final double[] floors;
    private final double[] ceilings;
    private final double maxChange;
    private final long minSteps;
    private final long minMillis;

    private State state = new State(false, 0, 0, GuardrailCounters.ZERO);

    /** Mutable part: the last update's step and time, and the counters. */
    record State(boolean updated, long lastStep, long lastMillis, GuardrailCounters counters) {
    }

    /** Outcome of {@link #limit}: the weights to send and whether they are the (feasible) target itself. */
    public record Limited(Map<String, Double> weights, boolean reachedTarget, String note) {
    }

    public Guardrails(List<String> languages, Map<String, Double> floorByLanguage,
                      Map<String, Double> ceilingByLanguage, double maxChange, long minSteps, long minMillis) {
        this.languages = List.copyOf(languages);
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
        if (minSteps < 0 || minMillis < 0) {
            throw new InvalidInputException("guardrails: minimum intervals must be >= 0");
        }
        this.maxChange = maxChange;
        this.minSteps = minSteps;
        this.minMillis = minMillis;
    }

    /** No limits beyond normalisation and sanitising. */
    public static Guardrails none(List<String> languages) {
        return new Guardrails(languages, Map.of(), Map.of(), 1.0, 0, 0);
    }

    public static Guardrails fromParams(PolicyParams p) {
        return fromParams(p, Map.of());
    }

    /** Guardrails from parameters, with floors raised to at least {@code minimumFloors} (a policy's own floors). */
    public static Guardrails fromParams(PolicyParams p, Map<String, Double> minimumFloors) {
        Map<String, Double> floors = p.perLanguage(Policies.Guards.FLOOR);
        minimumFloors.forEach((l, f) -> floors.merge(l, f, Math::max));
        return new Guardrails(p.languages(), floors,
                p.perLanguage(Policies.Guards.CEILING),
                p.positive(Policies.Guards.MAX_CHANGE),
                p.integer(Policies.Guards.MIN_STEPS),
                Math.round(p.number(Policies.Guards.MIN_SECONDS) * 1000));
    }

    public GuardrailCounters counters() {
        return state.counters();
    }

    // ---- signals -----------------------------------------------------------------------------------

    public StepSignal sanitize(StepSignal s) {
        long tokens = s.tokens();
        if (tokens < 0) {
            count(0, 1, 0);
            tokens = 0;
        }
        return new StepSignal(s.step(), tokens, clean(s.languageLoss()), cleanCounts(s.languageTokens()),
                s.mixtureVersion(), clean(s.weightsInForce()));
    }

    public EvalSignal sanitize(EvalSignal s) {
        return new EvalSignal(s.step(), clean(s.heldoutLoss()));
    }

    /** Stage signals of languages outside the run are dropped (empty); their signal values are cleaned. */
    public Optional<StageChangeSignal> sanitize(StageChangeSignal s) {
        if (!languages.contains(s.language())) {
            count(0, 0, 1);
            return Optional.empty();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        s.signals().forEach((k, v) -> {
            if (v == null || !Double.isFinite(v)) {
                count(1, 0, 0);
            } else {
                values.put(k, v);
            }
        });
        return Optional.of(new StageChangeSignal(s.language(), s.from(), s.to(), s.step(), values));
    }

    private Map<String, Double> clean(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String l : languages) {
            Double v = values.get(l);
            if (v == null) {
                continue;
            }
            if (!Double.isFinite(v)) {
                count(1, 0, 0);
            } else if (v < 0) {
                count(0, 1, 0);
            } else {
                out.put(l, v);
            }
        }
        countUnknown(values.keySet());
        return out;
    }

    private Map<String, Long> cleanCounts(Map<String, Long> values) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String l : languages) {
            Long v = values.get(l);
            if (v == null) {
                continue;
            }
            if (v < 0) {
                count(0, 1, 0);
            } else {
                out.put(l, v);
            }
        }
        countUnknown(values.keySet());
        return out;
    }

    private void countUnknown(Set<String> keys) {
        long unknown = keys.stream().filter(k -> !languages.contains(k)).count();
        if (unknown > 0) {
            count(0, 0, unknown);
        }
    }

    // ---- interval ----------------------------------------------------------------------------------

    /** Whether an update at {@code step} and wall time {@code nowMillis} respects the minimum intervals. */
    public boolean due(long step, long nowMillis) {
        return !state.updated()
                || (step - state.lastStep() >= minSteps && nowMillis - state.lastMillis() >= minMillis);
    }

    /** Counts a new target that {@link #due} held back; it stays pending with the caller. */
    public void deferred() {
        GuardrailCounters c = state.counters();
        setCounters(new GuardrailCounters(c.nonFiniteValues(), c.negativeValues(), c.unknownLanguages(),
                c.rejectedTargets(), c.deferredTargets() + 1, c.limitedUpdates()));
    }

    public void recordUpdate(long step, long nowMillis) {
        state = new State(true, step, nowMillis, state.counters());
    }

    // ---- weights -----------------------------------------------------------------------------------

    /**
     * The weights to send when moving from {@code current} (the weights last sent, normalised) towards
     * {@code target}. Empty when the target has no positive finite weight (counted and to be discarded).
     */
    public Optional<Limited> limit(Map<String, Double> current, Map<String, Double> target) {
        int k = languages.size();
        double[] t = new double[k];
        double[] cur = new double[k];
        Map<String, Double> valid = clean(target); // counts non-finite, negative and unknown entries
        double total = 0;
        for (int i = 0; i < k; i++) {
            t[i] = valid.getOrDefault(languages.get(i), 0.0);
            total += t[i];
            cur[i] = current.getOrDefault(languages.get(i), 0.0);
        }
        if (!(total > 0) || !Double.isFinite(total)) {
            GuardrailCounters c = state.counters();
            setCounters(new GuardrailCounters(c.nonFiniteValues(), c.negativeValues(), c.unknownLanguages(),
                    c.rejectedTargets() + 1, c.deferredTargets(), c.limitedUpdates()));
            return Optional.empty();
        }
        for (int i = 0; i < k; i++) {
            t[i] /= total;
        }

        double[] goal = project(t, floors, ceilings);
        double[] lo = new double[k];
        double[] hi = new double[k];
        double loSum = 0;
        double hiSum = 0;
        for (int i = 0; i < k; i++) {
            lo[i] = clamp(cur[i] - maxChange, floors[i], ceilings[i]);
            hi[i] = clamp(cur[i] + maxChange, floors[i], ceilings[i]);
            loSum += lo[i];
            hiSum += hi[i];
        }
        boolean stepLimited = loSum <= 1 + TOLERANCE && hiSum >= 1 - TOLERANCE;
        double[] w = stepLimited ? project(t, lo, hi) : goal;

        Map<String, Double> out = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        boolean reached = true;
        for (int i = 0; i < k; i++) {
            String l = languages.get(i);
            out.put(l, w[i]);
            if (Math.abs(w[i] - t[i]) > TOLERANCE) {
                notes.add(l + " " + Weights.fmt(t[i]) + "→" + Weights.fmt(w[i]));
            }
            reached &= Math.abs(w[i] - goal[i]) <= TOLERANCE;
        }
        String note = "";
        if (!notes.isEmpty()) {
            GuardrailCounters c = state.counters();
            setCounters(new GuardrailCounters(c.nonFiniteValues(), c.negativeValues(), c.unknownLanguages(),
                    c.rejectedTargets(), c.deferredTargets(), c.limitedUpdates() + 1));
            note = "guardrails (" + describeLimits() + ") set " + String.join(", ", notes)
                    + (reached ? "" : "; target pending");
        }
        return Optional.of(new Limited(out, reached, note));
    }

    private String describeLimits() {
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

    /**
     * Euclidean projection of {@code t} onto {@code {w : Σw = 1, lo ≤ w ≤ hi}} (requires Σlo ≤ 1 ≤ Σhi):
     * {@code w_i = clamp(t_i + τ, lo_i, hi_i)}. The sum is piecewise linear and non-decreasing in τ with
     * breakpoints {@code lo_i − t_i} and {@code hi_i − t_i}; τ is interpolated on the segment where it
     * crosses 1.
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

    private static double clampedSum(double[] t, double[] lo, double[] hi, double tau) {
        double s = 0;
        for (int i = 0; i < t.length; i++) {
            s += clamp(t[i] + tau, lo[i], hi[i]);
        }
        return s;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private void count(long nonFinite, long negative, long unknown) {
        GuardrailCounters c = state.counters();
        setCounters(new GuardrailCounters(c.nonFiniteValues() + nonFinite, c.negativeValues() + negative,
                c.unknownLanguages() + unknown, c.rejectedTargets(), c.deferredTargets(), c.limitedUpdates()));
    }

    private void setCounters(GuardrailCounters c) {
        state = new State(state.updated(), state.lastStep(), state.lastMillis(), c);
    }

    State state() {
        return state;
    }

    void restore(State restored) {
        state = restored;
    }
}
