package io.babelflow.streams.reweighting.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.EvalSignal;
import io.babelflow.streams.reweighting.ReweightingPolicy;
import io.babelflow.streams.reweighting.StateJson;
import io.babelflow.streams.reweighting.StepSignal;
import io.babelflow.streams.reweighting.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * DoReMi's domain-weight update (Xie et al. 2023, arXiv:2305.10429, Algorithm 1) run online on the
 * run's own losses: languages whose loss exceeds a reference the most gain weight.
 *
 * <p>At each update: λ_i = max(ℓ_i − ℓ_ref,i, 0) for languages with a loss in the signal and a reference
 * at that step (0 otherwise, as DoReMi does for domains absent from a minibatch);
 * α'_i = α_i·exp(η·λ_i); α_i ← (1 − c)·α'_i / Σ_j α'_j + c/k. α starts at the run's initial mixture.
 * Defaults η = 1 and c = 10⁻³ are DoReMi's. Two differences from DoReMi, both forced by the telemetry:
 * the loss is a per-language batch mean, so clipping happens after averaging rather than per token; and
 * the reference is a target or a recorded run at the same step, not a reference model on the same batch.
 * DoReMi's output is the average ᾱ over all updates; with {@code output=average} we propose that,
 * with {@code output=current} (default, since here the weights drive sampling live) the latest α.
 */
public final class ExcessLossPolicy implements ReweightingPolicy {
    public static final String NAME = "excess-loss";

    /** Which α a decision proposes. */
    public enum Output { CURRENT, AVERAGE }

    private final List<String> languages;
    private final ReferenceLosses reference;
    private final LossSource source;
    private final double eta;
    private final double smoothing;
    private final long every;
    private final Output output;

    private Map<String, Double> alpha;
    private Map<String, Double> alphaSum = new LinkedHashMap<>();
    private long updates;
    private boolean decided;
    private long lastDecisionStep;

    record State(Map<String, Double> alpha, Map<String, Double> alphaSum, long updates, boolean decided,
                 long lastDecisionStep) {
    }

    public ExcessLossPolicy(Map<String, Double> initialWeights, ReferenceLosses reference, LossSource source,
                            double eta, double smoothing, long every, Output output) {
        this.languages = List.copyOf(initialWeights.keySet());
        this.reference = reference;
        this.source = source;
        this.eta = eta;
        this.smoothing = smoothing;
        this.every = every;
        this.output = output;
        this.alpha = Weights.normalised(initialWeights);
        languages.forEach(l -> alphaSum.put(l, 0.0));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> onStep(StepSignal signal) {
        return source == LossSource.TRAIN ? update(signal.step(), signal.languageLoss()) : Optional.empty();
    }

    @Override
    public Optional<Decision> onEval(EvalSignal signal) {
        return source == LossSource.HELDOUT ? update(signal.step(), signal.heldoutLoss()) : Optional.empty();
    }

    private Optional<Decision> update(long step, Map<String, Double> loss) {
        Map<String, Double> excess = new LinkedHashMap<>();
        List<String> used = new ArrayList<>();
        for (String l : languages) {
            Double value = loss.get(l);
            OptionalDouble ref = reference.at(l, step);
            if (value != null && ref.isPresent()) {
                double lambda = Math.max(value - ref.getAsDouble(), 0);
                excess.put(l, lambda);
                used.add(String.format(Locale.ROOT, "%s ℓ=%.4f ref=%.4f λ=%.4f", l, value, ref.getAsDouble(), lambda));
            }
        }
        if (excess.isEmpty()) {
            return Optional.empty();
        }
        // α'_i = α_i·exp(η·λ_i), computed as exp(log α_i + η·λ_i − max) so a large λ cannot overflow
        Map<String, Double> logits = new LinkedHashMap<>();
        double max = Double.NEGATIVE_INFINITY;
        for (String l : languages) {
            double v = Math.log(alpha.get(l)) + eta * excess.getOrDefault(l, 0.0);
            logits.put(l, v);
            max = Math.max(max, v);
        }
        double z = 0;
        for (String l : languages) {
            z += Math.exp(logits.get(l) - max);
        }
        int k = languages.size();
        Map<String, Double> next = new LinkedHashMap<>();
        for (String l : languages) {
            double a = (1 - smoothing) * Math.exp(logits.get(l) - max) / z + smoothing / k;
            next.put(l, a);
            alphaSum.put(l, alphaSum.get(l) + a);
        }
        alpha = next;
        updates++;

        if (decided && step - lastDecisionStep < every) {
            return Optional.empty();
        }
        decided = true;
        lastDecisionStep = step;
        Map<String, Double> proposal = output == Output.CURRENT ? alpha : average();
        String reason = String.format(Locale.ROOT, "excess-loss: step %d vs %s: %s; η=%s c=%s → %s%s", step,
                reference.description(), String.join(", ", used), eta, smoothing, Weights.format(proposal),
                output == Output.AVERAGE ? " (mean of " + updates + " updates)" : "");
        return Optional.of(new Decision(proposal, reason, step));
    }

    private Map<String, Double> average() {
        Map<String, Double> mean = new LinkedHashMap<>();
        languages.forEach(l -> mean.put(l, alphaSum.get(l) / updates));
        return mean;
    }

    /** The current α. */
    public Map<String, Double> alpha() {
        return Map.copyOf(alpha);
    }

    @Override
    public JsonNode snapshot() {
        return StateJson.tree(new State(alpha, alphaSum, updates, decided, lastDecisionStep));
    }

    @Override
    public void restore(JsonNode state) {
        State s = StateJson.read(state, State.class);
        alpha = Ordered.byLanguage(languages, s.alpha(), "excess-loss");
        alphaSum = Ordered.byLanguage(languages, s.alphaSum(), "excess-loss");
        updates = s.updates();
        decided = s.decided();
        lastDecisionStep = s.lastDecisionStep();
    }
}
