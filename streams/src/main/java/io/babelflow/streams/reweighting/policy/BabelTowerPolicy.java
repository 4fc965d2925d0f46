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
 * <p>Every decision starts from the weights in force when it is made (the TrainStep reports them;
 * before the first step, the run's initial weights), so a language that joined by the trainer's own
 * phase after starting at weight 0 is cut from the share it actually has:
 * <ol>
 *   <li>When a NEW language ℓ enters TRANSITION, its weight w_ℓ becomes w_ℓ·(1 − r·P(ℓ)), with r the
 *       {@code reduction} parameter and P(ℓ) its {@link SystemProportion} at that moment, measured on
 *       the losses seen since ℓ was introduced (its weight in force first above 0): the more of its own
 *       system the loss curve says it has, the larger the cut (P = 1 cuts by r, P = 0 not at all).
 *       Without any loss observed for ℓ, P is taken as 1: the stage change itself is the evidence.</li>
 *   <li>The freed share goes to NEW languages still in TRANSLATION in proportion to their weights;
 *       with none (or all at 0), to the PRIMARY languages; with none, to every language not cut back.</li>
 *   <li>STABILIZATION keeps the cut; a return to TRANSLATION gives ℓ back the share it was cut by,
 *       taken from the other languages in proportion to their weights.</li>
 *   <li>If the PRIMARY languages together hold less than {@code primaryFloor}, they are raised to it in
 *       proportion and every other language gives up share in proportion.</li>
 * </ol>
 * The first step proposes the weights in force with the floor applied (a no-op if it already holds).
 */
public final class BabelTowerPolicy implements ReweightingPolicy {
    public static final String NAME = "babel-tower";

    private final List<RunLanguage> languages;
    private final double reduction;
    private final double primaryFloor;
    private final LossSource source;

    private final Map<String, SystemProportion> curves = new LinkedHashMap<>();
    private Map<String, Stage> stages = new LinkedHashMap<>();
    /** Per NEW language, the share its TRANSITION cut removed (0 when not cut). */
    private Map<String, Double> cuts = new LinkedHashMap<>();
    /** Per NEW language, the first step its weight in force was above 0, or -1 while not introduced. */
    private Map<String, Long> introduced = new LinkedHashMap<>();
    /** The weights decisions start from: the trainer's newest report, or this policy's newer decision. */
    private Map<String, Double> inForce;
    /** The weights in force the trainer last reported; a change in them (a phase, an update applied) resets {@link #inForce}. */
    private Map<String, Double> reported = Map.of();
    private boolean proposed;

    record State(boolean proposed, Map<String, Stage> stages, Map<String, Double> cuts, Map<String, Long> introduced,
                 Map<String, Double> inForce, Map<String, Double> reported, Map<String, SystemProportion.State> curves) {
    }

    public BabelTowerPolicy(List<RunLanguage> languages, Map<String, Double> baseWeights, double reduction,
                            double primaryFloor, LossSource source, double smoothing) {
        this.languages = List.copyOf(languages);
        this.inForce = Weights.normalised(baseWeights);
        this.reduction = reduction;
        this.primaryFloor = primaryFloor;
        this.source = source;
        for (RunLanguage l : languages) {
            if (l.role() == LanguageRole.NEW) {
                stages.put(l.id(), Stage.TRANSLATION);
                cuts.put(l.id(), 0.0);
                introduced.put(l.id(), inForce.getOrDefault(l.id(), 0.0) > 0 ? 0L : -1L);
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
        if (!signal.weightsInForce().isEmpty() && Weights.sum(signal.weightsInForce()) > 0) {
            Map<String, Double> w = new LinkedHashMap<>();
            languages.forEach(l -> w.put(l.id(), signal.weightsInForce().getOrDefault(l.id(), 0.0)));
            Map<String, Double> now = Weights.normalised(w);
            // a decision not yet applied stays the base until the trainer's weights actually move
            if (reported.isEmpty() || Weights.maxAbsDifference(now, reported) > 1e-9) {
                inForce = now;
            }
            reported = now;
        }
        introduced.replaceAll((l, since) -> since < 0 && inForce.getOrDefault(l, 0.0) > 0 ? signal.step() : since);
        if (source == LossSource.TRAIN) {
            observe(signal.languageLoss());
        }
        if (proposed) {
            return Optional.empty();
        }
        proposed = true;
        Map<String, Double> w = withPrimaryFloor(new LinkedHashMap<>(inForce));
        return Optional.of(new Decision(w, "babel-tower: weights in force with primary floor " + Weights.fmt(primaryFloor)
                + " → " + Weights.format(w), signal.step()));
    }

    @Override
    public Optional<Decision> onEval(EvalSignal signal) {
        if (source == LossSource.HELDOUT) {
            observe(signal.heldoutLoss());
        }
        return Optional.empty();
    }

    /** Losses of a language count only from its introduction on: before, its curve would start near ln 256. */
    private void observe(Map<String, Double> loss) {
        curves.forEach((l, curve) -> {
            Double v = loss.get(l);
            if (v != null && introduced.get(l) >= 0) {
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
        Map<String, Double> before = new LinkedHashMap<>(inForce);
        Map<String, Double> w = new LinkedHashMap<>(inForce);
        String evidence;
        if (signal.to() == Stage.TRANSITION && current == Stage.TRANSLATION) {
            SystemProportion.State c = curves.get(l).state();
            OptionalDouble p = curves.get(l).proportion();
            double proportion = p.orElse(1.0);
            double freed = w.get(l) * reduction * proportion;
            w.put(l, w.get(l) - freed);
            cuts.put(l, freed);
            stages.put(l, signal.to());
            give(w, recipients(l), freed);
            evidence = p.isPresent()
                    ? String.format(Locale.ROOT, "P(%s)=%.2f (α=%.3f, β=%.3f, ℓ=%.3f since step %d), cut %.2f·P", l,
                            proportion, c.initial(), c.lowest(), c.smoothed(), introduced.get(l), reduction)
                    : String.format(Locale.ROOT, "no loss seen for %s, P taken as 1, cut %.2f", l, reduction);
        } else if (signal.to() == Stage.TRANSLATION) {
            double back = cuts.get(l);
            List<String> others = languages.stream().map(RunLanguage::id).filter(id -> !id.equals(l)).toList();
            double othersTotal = others.stream().mapToDouble(w::get).sum();
            back = othersTotal > 0 ? Math.min(back, othersTotal) : 0;
            for (String id : back > 0 ? others : List.<String>of()) {
                w.put(id, w.get(id) - back * w.get(id) / othersTotal);
            }
            w.put(l, w.get(l) + back);
            cuts.put(l, 0.0);
            stages.put(l, signal.to());
            evidence = "back in TRANSLATION, the cut share " + Weights.fmt(back) + " restored";
        } else {
            stages.put(l, signal.to());
            evidence = "cut kept";
        }
        Map<String, Double> after = withPrimaryFloor(w);
        inForce = new LinkedHashMap<>(after);
        List<String> moves = new ArrayList<>();
        after.forEach((id, v) -> {
            if (Math.abs(v - before.get(id)) > 1e-12) {
                moves.add(id + " " + Weights.fmt(before.get(id)) + "→" + Weights.fmt(v));
            }
        });
        String reason = String.format(Locale.ROOT, "babel-tower: %s %s→%s at step %d, %s → %s", l, current,
                signal.to(), signal.step(), evidence, moves.isEmpty() ? "no change" : String.join(", ", moves));
        return Optional.of(new Decision(after, reason, signal.step()));
    }

    /** Who receives a cut of {@code cut} (step 2 of the class comment): languages with weight to share in proportion. */
    private List<String> recipients(String cut) {
        List<Predicate<RunLanguage>> tiers = List.of(
                l -> l.role() == LanguageRole.NEW && stages.get(l.id()) == Stage.TRANSLATION,
                l -> l.role() == LanguageRole.PRIMARY,
                l -> cuts.getOrDefault(l.id(), 0.0) <= 0);
        for (Predicate<RunLanguage> tier : tiers) {
            List<String> ids = ids(tier.and(l -> !l.id().equals(cut) && inForce.get(l.id()) > 0));
            if (!ids.isEmpty()) {
                return ids;
            }
        }
        return List.of(cut);
    }

    /** Step 4 of the class comment. */
    private Map<String, Double> withPrimaryFloor(Map<String, Double> w) {
        List<String> primary = ids(l -> l.role() == LanguageRole.PRIMARY);
        double primaryShare = primary.stream().mapToDouble(w::get).sum();
        if (!primary.isEmpty() && primaryShare < primaryFloor) {
            double othersScale = (1 - primaryFloor) / (1 - primaryShare);
            w.replaceAll((id, v) -> primary.contains(id) ? v : v * othersScale);
            primary.forEach(id -> w.put(id, 0.0));
            give(w, primary, primaryFloor);
        }
        return w;
    }

    /** Adds {@code amount} to {@code recipients} in proportion to their weights in {@code w} (equally if all 0). */
    private static void give(Map<String, Double> w, List<String> recipients, double amount) {
        double total = recipients.stream().mapToDouble(w::get).sum();
        Map<String, Double> parts = new LinkedHashMap<>();
        recipients.forEach(id -> parts.put(id, total > 0 ? w.get(id) / total : 1.0 / recipients.size()));
        for (String id : recipients) {
            double part = parts.get(id);
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
        return StateJson.tree(new State(proposed, stages, cuts, introduced, inForce, reported, curveStates));
    }

    @Override
    public void restore(JsonNode state) {
        State s = StateJson.read(state, State.class);
        List<String> newLanguages = List.copyOf(curves.keySet());
        proposed = s.proposed();
        stages = Ordered.byLanguage(newLanguages, s.stages(), NAME);
        cuts = Ordered.byLanguage(newLanguages, s.cuts(), NAME);
        introduced = Ordered.byLanguage(newLanguages, s.introduced(), NAME);
        inForce = Ordered.byLanguage(languages.stream().map(RunLanguage::id).toList(), s.inForce(), NAME);
        reported = s.reported() == null || s.reported().isEmpty() ? Map.of()
                : Ordered.byLanguage(languages.stream().map(RunLanguage::id).toList(), s.reported(), NAME);
        Map<String, SystemProportion.State> restored = Ordered.byLanguage(newLanguages, s.curves(), NAME);
        curves.forEach((l, c) -> c.restore(restored.get(l)));
    }
}
