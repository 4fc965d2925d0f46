package io.babelflow.streams.reweighting;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one policy for one run: sanitises signals, passes them to the policy, puts its targets through
 * the {@link Guardrails} and numbers what comes out. This object is the whole per-run state the
 * reweighting app keeps; {@link #snapshot()} and {@link #restore} carry it across restarts, so after a
 * restart the next version is exactly one more than the last one sent.
 *
 * <p>A target the guardrails hold back (minimum interval) or only partly apply (max change) stays
 * pending and is retried on every later signal until it is reached or the policy replaces it. Policies
 * that decide only on rare events (a stage change) therefore never lose a decision to the guardrails.
 */
public final class MixtureController {
    private static final int FORMAT = 1;

    private final String policyName;
    private final ReweightingPolicy policy;
    private final Guardrails guardrails;
    private final List<String> languages;

    private long version;
    private long latestStep = Long.MIN_VALUE;
    private Map<String, Double> weights;
    private Decision pending;

    public MixtureController(ReweightingPolicy policy, Guardrails guardrails, List<RunLanguage> languages) {
        this.policyName = policy.name();
        this.policy = policy;
        this.guardrails = guardrails;
        this.languages = RunLanguage.validate(languages).stream().map(RunLanguage::id).toList();
        this.weights = Weights.initial(languages);
    }

    /**
     * A merged training step. The trainer's {@code mixtureVersion} also lifts the version counter, so
     * even a controller that lost its state never reuses a version the trainer has applied. Once the
     * trainer runs the newest version this controller knows (it has applied every update sent, or the
     * mixture is still the config's schedule, whose phases move it without a new version), the step's
     * weights in force become the point the guardrails measure the next change from.
     */
    public Optional<MixtureDecision> onStep(StepSignal signal, long nowMillis) {
        StepSignal clean = guardrails.sanitize(signal);
        if (clean.mixtureVersion() >= version && Weights.sum(clean.weightsInForce()) > 0) {
            Map<String, Double> inForce = new LinkedHashMap<>();
            languages.forEach(l -> inForce.put(l, clean.weightsInForce().getOrDefault(l, 0.0)));
            weights = Weights.normalised(inForce);
        }
        version = Math.max(version, clean.mixtureVersion());
        return settle(policy.onStep(clean), clean.step(), nowMillis);
    }

    public Optional<MixtureDecision> onEval(EvalSignal signal, long nowMillis) {
        EvalSignal clean = guardrails.sanitize(signal);
        return settle(policy.onEval(clean), clean.step(), nowMillis);
    }

    public Optional<MixtureDecision> onStage(StageChangeSignal signal, long nowMillis) {
        Optional<StageChangeSignal> clean = guardrails.sanitize(signal);
        Optional<Decision> target = clean.isPresent() ? policy.onStage(clean.get()) : Optional.empty();
        return settle(target, signal.step(), nowMillis);
    }

    /**
     * A wall-clock tick without a new signal: a pending target goes out as soon as the guardrails allow
     * it. A target held back only by {@code minSeconds} would otherwise wait for the run's next signal,
     * which may never come (a stalled trainer, a rare stage change). Empty when nothing is pending or the
     * guardrails still hold it back.
     */
    public Optional<MixtureDecision> onTime(long nowMillis) {
        if (pending == null) {
            return Optional.empty();
        }
        return settle(Optional.empty(), latestStep, nowMillis);
    }

    /**
     * Makes the next version at least {@code version + 1}. A run reconfigured with another policy or
     * language set gets a fresh controller, and the trainer, which applies only newer versions, must
     * still see them increase.
     */
    public void continueAfter(long version) {
        this.version = Math.max(this.version, version);
    }

    private Optional<MixtureDecision> settle(Optional<Decision> target, long step, long nowMillis) {
        latestStep = Math.max(latestStep, step);
        if (target.isPresent()) {
            pending = target.get();
            if (!guardrails.due(latestStep, nowMillis)) {
                guardrails.deferred();
            }
        }
        if (pending == null || !guardrails.due(latestStep, nowMillis)) {
            return Optional.empty();
        }
        Decision decision = pending;
        Optional<Guardrails.Limited> limited = guardrails.limit(weights, decision.weights());
        if (limited.isEmpty()) {
            pending = null;
            return Optional.empty();
        }
        if (limited.get().reachedTarget()) {
            pending = null;
        }
        Map<String, Double> next = limited.get().weights();
        if (Weights.maxAbsDifference(next, weights) <= WeightBounds.TOLERANCE) {
            return Optional.empty();
        }
        weights = next;
        version++;
        guardrails.recordUpdate(latestStep, nowMillis);
        String note = limited.get().note();
        String reason = note.isEmpty() ? decision.reason() : decision.reason() + "; " + note;
        return Optional.of(new MixtureDecision(version, policyName, weights, reason, decision.basedOnStep(), nowMillis));
    }

    public String policyName() {
        return policyName;
    }

    /** Version of the last weights sent (0 = the run's initial weights). */
    public long version() {
        return version;
    }

    /** The weights in force at the trainer's newest step, or the last weights sent while they are not yet applied. */
    public Map<String, Double> weights() {
        return Maps.frozen(weights);
    }

    public Optional<Decision> pending() {
        return Optional.ofNullable(pending);
    }

    public GuardrailCounters counters() {
        return guardrails.counters();
    }

    /** The controller's state as JSON bytes (see {@link Snapshot}), for a state store. */
    public byte[] snapshot() {
        return StateJson.bytes(new Snapshot(FORMAT, policyName, version, latestStep, weights, pending,
                guardrails.state(), policy.snapshot()));
    }

    /**
     * Restores a {@link #snapshot()} taken from a controller built with the same policy and run
     * languages. A snapshot of another policy or another language set is refused: it would silently
     * resume a different experiment.
     */
    public void restore(byte[] snapshot) {
        Snapshot s = StateJson.read(snapshot, Snapshot.class);
        if (s.format() != FORMAT) {
            throw new IllegalArgumentException("policy snapshot format " + s.format() + " is not " + FORMAT);
        }
        if (!policyName.equals(s.policy())) {
            throw new IllegalArgumentException("snapshot is of policy " + s.policy() + ", not " + policyName);
        }
        if (!s.weights().keySet().equals(new HashSet<>(languages))) {
            throw new IllegalArgumentException("snapshot languages " + s.weights().keySet() + " differ from the run's "
                    + languages);
        }
        policy.restore(s.state());
        guardrails.restore(s.guardrails());
        version = s.version();
        latestStep = s.latestStep();
        weights = new LinkedHashMap<>();
        languages.forEach(l -> weights.put(l, s.weights().get(l)));
        pending = s.pending();
    }

    /**
     * Snapshot format 1, a JSON object: {@code format}, {@code policy}, {@code version} (last sent),
     * {@code latestStep}, {@code weights} (last sent), {@code pending} (target not yet reached, or null),
     * {@code guardrails} (last update step/time and counters) and {@code state} (the policy's own).
     */
    record Snapshot(int format, String policy, long version, long latestStep, Map<String, Double> weights,
                    Decision pending, Guardrails.State guardrails, JsonNode state) {
    }
}
