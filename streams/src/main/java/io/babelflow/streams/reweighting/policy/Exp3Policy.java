package io.babelflow.streams.reweighting.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.streams.reweighting.Decision;
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

/**
 * Online Data Mixing (Albalak et al. 2023, arXiv:2312.02406, Algorithm 1): EXP3 with one arm per
 * language and the training loss as reward, so languages the model still finds hard are sampled more.
 *
 * <p>At the t-th step that reports any per-language loss (t = 1, 2, ...), following the paper and its
 * reference implementation's mixed-minibatch update:
 * <ol>
 *   <li>ε_t = min(1/K, √(ln K / (K·t))), ε_0 = 1/K;</li>
 *   <li>for every language i present in the batch: R̂_i += r_i / π_i, where r_i = rewardScale × (mean
 *       training loss of i in the batch) and π_i the probability i was sampled with;</li>
 *   <li>π_i = (1 − K·ε_t) · exp(ε_{t−1}·R̂_i) / Σ_j exp(ε_{t−1}·R̂_j) + ε_t.</li>
 * </ol>
 * Details: rewardScale defaults to 0.1, the reference implementation's division by 10 that keeps the
 * cumulative estimates from overflowing; the softmax additionally subtracts the maximum exponent
 * (same value, no overflow). π_i in step 2 is the mixture actually in force for the batch (the step's
 * {@code weightsInForce}) because that is what the batch was drawn from — guardrails or a lagging
 * trainer may differ from the policy's own π, and the importance weight must use the true sampling
 * probability; the policy's own π is the fallback when the step carries no weights. Initial π is the
 * run's initial mixture. Languages absent from a batch get no reward that step. The state updates on
 * every step; a decision is proposed from step {@code warmup} on, every {@code every} steps.
 */
public final class Exp3Policy implements ReweightingPolicy {
    public static final String NAME = "exp3";

    private final List<String> languages;
    private final double rewardScale;
    private final long warmup;
    private final long every;

    private long t;
    private double epsilon;
    private Map<String, Double> cumulativeReward = new LinkedHashMap<>();
    private Map<String, Double> probabilities;
    private boolean decided;
    private long lastDecisionStep;

    record State(long t, double epsilon, Map<String, Double> cumulativeReward, Map<String, Double> probabilities,
                 boolean decided, long lastDecisionStep) {
    }

    public Exp3Policy(Map<String, Double> initialWeights, double rewardScale, long warmup, long every) {
        this.languages = List.copyOf(initialWeights.keySet());
        this.rewardScale = rewardScale;
        this.warmup = warmup;
        this.every = every;
        this.probabilities = Weights.normalised(initialWeights);
        this.epsilon = 1.0 / languages.size();
        languages.forEach(l -> cumulativeReward.put(l, 0.0));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> onStep(StepSignal signal) {
        if (languages.stream().noneMatch(signal.languageLoss()::containsKey)) {
            return Optional.empty();
        }
        Map<String, Double> sampledWith = samplingProbabilities(signal);
        int k = languages.size();
        t++;
        double previousEpsilon = epsilon;
        epsilon = Math.min(1.0 / k, Math.sqrt(Math.log(k) / (k * (double) t)));

        List<String> rewards = new ArrayList<>();
        for (String l : languages) {
            Double loss = signal.languageLoss().get(l);
            double p = sampledWith.getOrDefault(l, 0.0);
            // a language sampled with probability 0 cannot be in the batch; its loss is stale data, not evidence
            if (loss == null || !(p > 0)) {
                continue;
            }
            double reward = rewardScale * loss;
            cumulativeReward.put(l, cumulativeReward.get(l) + reward / p);
            rewards.add(String.format(Locale.ROOT, "%s %.4f/%.3f", l, reward, p));
        }

        double max = Double.NEGATIVE_INFINITY;
        for (String l : languages) {
            max = Math.max(max, previousEpsilon * cumulativeReward.get(l));
        }
        double z = 0;
        Map<String, Double> exp = new LinkedHashMap<>();
        for (String l : languages) {
            double e = Math.exp(previousEpsilon * cumulativeReward.get(l) - max);
            exp.put(l, e);
            z += e;
        }
        Map<String, Double> next = new LinkedHashMap<>();
        for (String l : languages) {
            next.put(l, (1 - k * epsilon) * exp.get(l) / z + epsilon);
        }
        probabilities = next;

        if (signal.step() < warmup || (decided && signal.step() - lastDecisionStep < every)) {
            return Optional.empty();
        }
        decided = true;
        lastDecisionStep = signal.step();
        Map<String, Double> estimates = new LinkedHashMap<>();
        languages.forEach(l -> estimates.put(l, cumulativeReward.get(l)));
        String reason = String.format(Locale.ROOT, "exp3: step %d t=%d ε=%.4f (prev %.4f); reward/π: %s; R̂ %s → %s",
                signal.step(), t, epsilon, previousEpsilon, String.join(", ", rewards), Weights.format(estimates),
                Weights.format(probabilities));
        return Optional.of(new Decision(probabilities, reason, signal.step()));
    }

    private Map<String, Double> samplingProbabilities(StepSignal signal) {
        Map<String, Double> inForce = new LinkedHashMap<>();
        languages.forEach(l -> inForce.put(l, signal.weightsInForce().getOrDefault(l, 0.0)));
        return Weights.sum(inForce) > 0 ? Weights.normalised(inForce) : probabilities;
    }

    /** The current sampling distribution π (what the next decision would propose). */
    public Map<String, Double> probabilities() {
        return Map.copyOf(probabilities);
    }

    @Override
    public JsonNode snapshot() {
        return StateJson.tree(new State(t, epsilon, cumulativeReward, probabilities, decided, lastDecisionStep));
    }

    @Override
    public void restore(JsonNode state) {
        State s = StateJson.read(state, State.class);
        t = s.t();
        epsilon = s.epsilon();
        cumulativeReward = Ordered.byLanguage(languages, s.cumulativeReward(), "exp3");
        probabilities = Ordered.byLanguage(languages, s.probabilities(), "exp3");
        decided = s.decided();
        lastDecisionStep = s.lastDecisionStep();
    }
}
