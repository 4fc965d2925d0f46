package io.babelflow.streams.reweighting.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.Stage;
import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.EvalSignal;
import io.babelflow.streams.reweighting.ReweightingPolicy;
import io.babelflow.streams.reweighting.RunLanguage;
import io.babelflow.streams.reweighting.StageChangeSignal;
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
import java.util.function.Predicate;

/**
 * The Babel Tower corpus optimisation (Chen et al. 2024, arXiv:2412.07298) made live: a new language
 * keeps its high share while it learns on the primary language's knowledge system (Translation stage)
 * and is cut back once it starts building its own (Transition), the freed share going to new languages
 * still in Translation.
 *
 * <p>The mixture is a function of the stages, recomputed on every stage change:
 * <ol>
 *   <li>Start from the base mixture (the run's initial weights).</li>
 *   <li>When a NEW language ℓ enters TRANSITION, its weight becomes base_ℓ·(1 − r·P(ℓ)), with r the
 *       {@code reduction} parameter and P(ℓ) its {@link SystemProportion} at that moment: the more of
 *       its own system the loss curve says it has, the larger the cut (P = 1 cuts by r, P = 0 not at
 *       all). The factor is frozen at that event; STABILIZATION keeps it, a return to TRANSLATION
 *       restores the full share. Without any loss observed for ℓ, P is taken as 1: the stage change
 *       itself is the evidence.</li>
 *   <li>The freed share goes to NEW languages still in TRANSLATION in proportion to their base weights;
 *       with none left, to the PRIMARY languages; with none, to every language not cut back.</li>
 *   <li>If the PRIMARY languages together hold less than {@code primaryFloor}, they are raised to it in
 *       proportion and every other language gives up share in proportion.</li>
 * </ol>
 * The first step proposes the base mixture with the floor applied (a no-op if it already holds).
 */
public final class BabelTowerPolicy implements ReweightingPolicy {
    public static final String NAME = "babel-tower";

    private final List<RunLanguage> languages;
    private final Map<String, Double> base;
    private final double reduction;
    private final double primaryFloor;
    private final LossSource source;

    private final Map<String, SystemProportion> curves = new LinkedHashMap<>();
    private Map<String, Stage> stages = new LinkedHashMap<>();
    private Map<String, Double> factors = new LinkedHashMap<>();
    private boolean proposed;

    record State(boolean proposed, Map<String, Stage> stages, Map<String, Double> factors,
                 Map<String, SystemProportion.State> curves) {
    }

    public BabelTowerPolicy(List<RunLanguage> languages, Map<String, Double> baseWeights, double reduction,
                            double primaryFloor, LossSource source, double smoothing) {
        this.languages = List.copyOf(languages);
        this.base = Weights.normalised(baseWeights);
        this.reduction = reduction;
        this.primaryFloor = primaryFloor;
        this.source = source;
        for (RunLanguage l : languages) {
            if (l.role() == LanguageRole.NEW) {
                stages.put(l.id(), Stage.TRANSLATION);
                factors.put(l.id(), 1.0);
                curves.put(l.id(), new SystemProportion(smoothing));
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> onStep(StepSignal signal) {
        if (source == LossSource.TRAIN) {
            observe(signal.languageLoss());
        }
        if (proposed) {
            return Optional.empty();
        }
        proposed = true;
        Map<String, Double> w = mixture();
        return Optional.of(new Decision(w, "babel-tower: base mixture with primary floor " + Weights.fmt(primaryFloor)
                + " → " + Weights.format(w), signal.step()));
    }

    @Override
    public Optional<Decision> onEval(EvalSignal signal) {
        if (source == LossSource.HELDOUT) {
            observe(signal.heldoutLoss());
        }
        return Optional.empty();
    }

    private void observe(Map<String, Double> loss) {
        curves.forEach((l, curve) -> {
            Double v = loss.get(l);
            if (v != null) {
                curve.observe(v);
            }
        });
    }

    @Override
    public Optional<Decision> onStage(StageChangeSignal signal) {
        String l = signal.language();
        Stage current = stages.get(l);
        if (current == null || current == signal.to()) {
            return Optional.empty(); // not a NEW language, or no change
        }
        Map<String, Double> before = mixture();
        String evidence;
        if (signal.to() == Stage.TRANSITION && current == Stage.TRANSLATION) {
            SystemProportion.State c = curves.get(l).state();
            OptionalDouble p = curves.get(l).proportion();
            double proportion = p.orElse(1.0);
            factors.put(l, 1 - reduction * proportion);
            evidence = p.isPresent()
                    ? String.format(Locale.ROOT, "P(%s)=%.2f (α=%.3f, β=%.3f, ℓ=%.3f), cut %.2f·P", l, proportion,
                            c.initial(), c.lowest(), c.smoothed(), reduction)
                    : String.format(Locale.ROOT, "no loss seen for %s, P taken as 1, cut %.2f", l, reduction);
        } else if (signal.to() == Stage.TRANSLATION) {
            factors.put(l, 1.0);
            evidence = "back in TRANSLATION, full share restored";
        } else {
            evidence = "reduction factor " + Weights.fmt(factors.get(l)) + " kept";
        }
        stages.put(l, signal.to());
        Map<String, Double> after = mixture();
        List<String> moves = new ArrayList<>();
        after.forEach((id, w) -> {
            if (Math.abs(w - before.get(id)) > 1e-12) {
                moves.add(id + " " + Weights.fmt(before.get(id)) + "→" + Weights.fmt(w));
            }
        });
        String reason = String.format(Locale.ROOT, "babel-tower: %s %s→%s at step %d, %s → %s", l, current,
                signal.to(), signal.step(), evidence, moves.isEmpty() ? "no change" : String.join(", ", moves));
        return Optional.of(new Decision(after, reason, signal.step()));
    }

    /** The mixture the current stages call for (steps 1–4 of the class comment). */
    Map<String, Double> mixture() {
        Map<String, Double> w = new LinkedHashMap<>(base);
        double freed = 0;
        for (Map.Entry<String, Double> f : factors.entrySet()) {
            double cut = base.get(f.getKey()) * f.getValue();
            freed += base.get(f.getKey()) - cut;
            w.put(f.getKey(), cut);
        }
        if (freed > 0) {
            List<String> recipients = ids(l -> l.role() == LanguageRole.NEW && stages.get(l.id()) == Stage.TRANSLATION);
            if (recipients.isEmpty()) {
                recipients = ids(l -> l.role() == LanguageRole.PRIMARY);
            }
            if (recipients.isEmpty()) {
                recipients = ids(l -> factors.getOrDefault(l.id(), 1.0) >= 1.0);
            }
            if (recipients.isEmpty()) {
                return new LinkedHashMap<>(base);
            }
            share(w, recipients, freed);
        }
        List<String> primary = ids(l -> l.role() == LanguageRole.PRIMARY);
        double primaryShare = primary.stream().mapToDouble(w::get).sum();
        if (!primary.isEmpty() && primaryShare < primaryFloor) {
            double othersScale = (1 - primaryFloor) / (1 - primaryShare);
            w.replaceAll((id, v) -> primary.contains(id) ? v : v * othersScale);
            primary.forEach(id -> w.put(id, 0.0));
            share(w, primary, primaryFloor);
        }
        return w;
    }

    /** Adds {@code amount} to {@code recipients} in proportion to their base weights (equally if all 0). */
    private void share(Map<String, Double> w, List<String> recipients, double amount) {
        double total = recipients.stream().mapToDouble(base::get).sum();
        for (String id : recipients) {
            double part = total > 0 ? base.get(id) / total : 1.0 / recipients.size();
            w.put(id, w.get(id) + amount * part);
        }
    }

    private List<String> ids(Predicate<RunLanguage> test) {
        return languages.stream().filter(test).map(RunLanguage::id).toList();
    }

    public Stage stage(String language) {
        return stages.get(language);
    }

    @Override
    public JsonNode snapshot() {
        Map<String, SystemProportion.State> curveStates = new LinkedHashMap<>();
        curves.forEach((l, c) -> curveStates.put(l, c.state()));
        return StateJson.tree(new State(proposed, stages, factors, curveStates));
    }

    @Override
    public void restore(JsonNode state) {
        State s = StateJson.read(state, State.class);
        List<String> newLanguages = List.copyOf(curves.keySet());
        proposed = s.proposed();
        stages = Ordered.byLanguage(newLanguages, s.stages(), NAME);
        factors = Ordered.byLanguage(newLanguages, s.factors(), NAME);
        Map<String, SystemProportion.State> restored = Ordered.byLanguage(newLanguages, s.curves(), NAME);
        curves.forEach((l, c) -> c.restore(restored.get(l)));
    }
}
