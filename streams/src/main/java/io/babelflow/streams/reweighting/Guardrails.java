package io.babelflow.streams.reweighting;

import io.babelflow.schemas.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Safety limits applied to every policy, whatever its algorithm.
 *
 * <ul>
 *   <li>{@link #sanitize}: signals lose non-finite and negative values and unknown languages
 *       ({@link SignalSanitizer}, counted).</li>
 *   <li>{@link #limit}: a target is normalised and kept within the floors, ceilings and max-change
 *       ({@link WeightBounds}, by exact {@link SimplexProjection}).</li>
 *   <li>{@link #due}: at least {@code minSteps} steps and {@code minMillis} of wall time between updates.
 *       The wall time is a parameter, so tests and backtests (which pass recorded timestamps) are
 *       deterministic.</li>
 * </ul>
 * Parameters, shared by all policies: {@link Policies.Guards}.
 */
public final class Guardrails {
    private final List<String> languages;
    private final WeightBounds bounds;
    private final SignalSanitizer sanitizer;
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
        this.bounds = new WeightBounds(this.languages, floorByLanguage, ceilingByLanguage, maxChange);
        if (minSteps < 0 || minMillis < 0) {
            throw new InvalidInputException("guardrails: minimum intervals must be >= 0");
        }
        this.minSteps = minSteps;
        this.minMillis = minMillis;
        this.sanitizer = new SignalSanitizer(this.languages,
                (nonFinite, negative, unknown) -> setCounters(counters().plusDropped(nonFinite, negative, unknown)));
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

    public StepSignal sanitize(StepSignal s) {
        return sanitizer.sanitize(s);
    }

    public EvalSignal sanitize(EvalSignal s) {
        return sanitizer.sanitize(s);
    }

    /** Stage changes of languages outside the run are dropped (empty); their signal values are cleaned. */
    public Optional<StageChangeSignal> sanitize(StageChangeSignal s) {
        return sanitizer.sanitize(s);
    }

    /** Whether an update at {@code step} and wall time {@code nowMillis} respects the minimum intervals. */
    public boolean due(long step, long nowMillis) {
        return !state.updated()
                || (step - state.lastStep() >= minSteps && nowMillis - state.lastMillis() >= minMillis);
    }

    /** Counts a new target that {@link #due} held back; it stays pending with the caller. */
    public void deferred() {
        setCounters(counters().plusDeferred());
    }

    public void recordUpdate(long step, long nowMillis) {
        state = new State(true, step, nowMillis, state.counters());
    }

    /**
     * The weights to send when moving from {@code current} (the weights last sent, normalised) towards
     * {@code target}. Empty when the target has no positive finite weight (counted and to be discarded).
     */
    public Optional<Limited> limit(Map<String, Double> current, Map<String, Double> target) {
        double[] t = normalised(sanitizer.clean(target)); // counts non-finite, negative and unknown entries
        if (t == null) {
            setCounters(counters().plusRejected());
            return Optional.empty();
        }
        double[] cur = languages.stream().mapToDouble(l -> current.getOrDefault(l, 0.0)).toArray();
        double[] goal = bounds.goal(t);
        double[] w = bounds.step(cur, t, goal);
        Map<String, Double> out = new LinkedHashMap<>();
        boolean reached = true;
        for (int i = 0; i < languages.size(); i++) {
            out.put(languages.get(i), w[i]);
            reached &= Math.abs(w[i] - goal[i]) <= WeightBounds.TOLERANCE;
        }
        return Optional.of(new Limited(out, reached, note(t, w, reached)));
    }

    /** The target over the run's languages, summing to 1; null when it has no positive finite total. */
    private double[] normalised(Map<String, Double> valid) {
        double[] t = languages.stream().mapToDouble(l -> valid.getOrDefault(l, 0.0)).toArray();
        double total = 0;
        for (double v : t) {
            total += v;
        }
        if (!(total > 0) || !Double.isFinite(total)) {
            return null;
        }
        for (int i = 0; i < t.length; i++) {
            t[i] /= total;
        }
        return t;
    }

    /** What the limits changed, e.g. "guardrails (floors) set zh 0.05→0.1"; empty (uncounted) when nothing. */
    private String note(double[] target, double[] sent, boolean reached) {
        List<String> changes = new ArrayList<>();
        for (int i = 0; i < languages.size(); i++) {
            if (Math.abs(sent[i] - target[i]) > WeightBounds.TOLERANCE) {
                changes.add(languages.get(i) + " " + Weights.fmt(target[i]) + "→" + Weights.fmt(sent[i]));
            }
        }
        if (changes.isEmpty()) {
            return "";
        }
        setCounters(counters().plusLimited());
        return "guardrails (" + bounds.describe() + ") set " + String.join(", ", changes)
                + (reached ? "" : "; target pending");
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
