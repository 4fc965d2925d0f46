package io.babelflow.streams.reweighting;

import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.streams.reweighting.policy.BabelTowerPolicy;
import io.babelflow.streams.reweighting.policy.ExcessLossPolicy;
import io.babelflow.streams.reweighting.policy.Exp3Policy;
import io.babelflow.streams.reweighting.policy.LossCurveStageDetector;
import io.babelflow.streams.reweighting.policy.LossSource;
import io.babelflow.streams.reweighting.policy.ReferenceLosses;
import io.babelflow.streams.reweighting.policy.ScheduleSyntax;
import io.babelflow.streams.reweighting.policy.SchedulePolicy;
import io.babelflow.streams.reweighting.policy.StaticPolicy;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a policy by name from a run's {@code feedbackPolicy}, {@code policyParams} and languages.
 * Unknown names, unknown keys and bad values are {@link InvalidInputException}s naming the problem.
 *
 * <p>Parameters (all optional unless marked; per-language maps are {@code lang=value,...}):
 * <ul>
 *   <li>every policy: the {@link Guardrails} keys {@code floor}, {@code ceiling}, {@code maxChange},
 *       {@code minSteps}, {@code minSeconds};</li>
 *   <li>{@code static}: {@code weights} (default: the run's initial weights);</li>
 *   <li>{@code schedule}: {@code phases} (required, see {@link ScheduleSyntax}), {@code by=steps|tokens}
 *       (steps), {@code curve=linear|cosine} (linear), {@code every} steps between proposals (100);</li>
 *   <li>{@code exp3}: {@code rewardScale} (0.1), {@code warmup} steps (0), {@code every} (1);</li>
 *   <li>{@code excess-loss}: exactly one of {@code reference} (per-language target losses for every
 *       language) or {@code referenceRun} (path of a recorded run's telemetry file); {@code signal=train|heldout}
 *       (train), {@code eta} (1), {@code smoothing} c (0.001), {@code every} (1), {@code output=current|average}
 *       (current);</li>
 *   <li>{@code babel-tower}: {@code reduction} r (0.5), {@code primaryFloor} (0.1; with a single PRIMARY
 *       language it also becomes that language's guardrail floor), {@code signal=train|heldout} (train),
 *       {@code ema} loss smoothing (0.9), and for the loss-curve stage fallback {@code stageTransitionBelow}
 *       (0.9), {@code stageStableAbove} (0.98), {@code stagePatience} (3), {@code stageMinDrop} (0.05).</li>
 * </ul>
 */
public final class PolicyFactory {
    public static final List<String> POLICIES = List.of(StaticPolicy.NAME, SchedulePolicy.NAME, Exp3Policy.NAME,
            ExcessLossPolicy.NAME, BabelTowerPolicy.NAME);

    private static final Map<String, Set<String>> KEYS = Map.of(
            StaticPolicy.NAME, Set.of("weights"),
            SchedulePolicy.NAME, Set.of("phases", "by", "curve", "every"),
            Exp3Policy.NAME, Set.of("rewardScale", "warmup", "every"),
            ExcessLossPolicy.NAME, Set.of("reference", "referenceRun", "signal", "eta", "smoothing", "every", "output"),
            BabelTowerPolicy.NAME, Set.of("reduction", "primaryFloor", "signal", "ema", "stageTransitionBelow",
                    "stageStableAbove", "stagePatience", "stageMinDrop"));

    private PolicyFactory() {
    }

    /** The policy alone, e.g. for unit tests or analyses without guardrails. */
    public static ReweightingPolicy policy(String name, Map<String, String> params, List<RunLanguage> languages) {
        List<RunLanguage> run = RunLanguage.validate(languages);
        return build(checkedName(name), params(name, params, run), run);
    }

    /** The policy with its guardrails, ready to run: what the reweighting app and the backtest use. */
    public static MixtureController controller(String name, Map<String, String> params, List<RunLanguage> languages) {
        List<RunLanguage> run = RunLanguage.validate(languages);
        String policy = checkedName(name);
        PolicyParams p = params(policy, params, run);
        return new MixtureController(build(policy, p, run), guardrails(policy, p, run), run);
    }

    /** The loss-curve stage fallback configured by a babel-tower policy's parameters; empty for other policies. */
    public static Optional<LossCurveStageDetector> lossCurveStageDetector(String name, Map<String, String> params,
                                                                          List<RunLanguage> languages) {
        List<RunLanguage> run = RunLanguage.validate(languages);
        if (!BabelTowerPolicy.NAME.equals(checkedName(name))) {
            return Optional.empty();
        }
        PolicyParams p = params(name, params, run);
        LossCurveStageDetector.Thresholds d = LossCurveStageDetector.Thresholds.DEFAULT;
        return Optional.of(new LossCurveStageDetector(
                run.stream().filter(l -> l.role() == LanguageRole.NEW).map(RunLanguage::id).toList(),
                p.number("ema", 0.9, 0, 0.999999),
                new LossCurveStageDetector.Thresholds(
                        p.number("stageTransitionBelow", d.transitionBelow(), 0, 1),
                        p.number("stageStableAbove", d.stableAbove(), 0, 1),
                        (int) p.integer("stagePatience", d.patience(), 1),
                        p.number("stageMinDrop", d.minDrop(), 0, 1))));
    }

    /** Which loss the policy reads for its curves, so a backtest knows which signal drives derived stages. */
    public static LossSource lossSource(String name, Map<String, String> params, List<RunLanguage> languages) {
        return params(checkedName(name), params, RunLanguage.validate(languages))
                .choice("signal", LossSource.class, LossSource.TRAIN);
    }

    private static String checkedName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("no reweighting policy given; choose one of " + String.join(", ", POLICIES));
        }
        String n = name.trim();
        if (!POLICIES.contains(n)) {
            throw new InvalidInputException("unknown reweighting policy '" + n + "'; choose one of "
                    + String.join(", ", POLICIES));
        }
        return n;
    }

    private static PolicyParams params(String name, Map<String, String> params, List<RunLanguage> run) {
        PolicyParams p = new PolicyParams(name.trim(), params, run.stream().map(RunLanguage::id).toList());
        Set<String> known = new HashSet<>(KEYS.get(name.trim()));
        known.addAll(Guardrails.PARAMS);
        p.requireOnly(known);
        return p;
    }

    private static ReweightingPolicy build(String name, PolicyParams p, List<RunLanguage> run) {
        Map<String, Double> initial = Weights.initial(run);
        return switch (name) {
            case StaticPolicy.NAME -> new StaticPolicy(p.has("weights")
                    ? positive(p, "weights", fill(p, p.languageMap("weights", p.string("weights", ""), 0, 1e9, false)))
                    : initial);
            case SchedulePolicy.NAME -> {
                if (!p.has("phases")) {
                    throw p.error("parameter phases is required, e.g. phases=0:en=0.9,zh=0.1;2000:en=0.5,zh=0.5");
                }
                MixtureSchedule schedule = ScheduleSyntax.parse(p, "phases", p.string("phases", ""),
                        ScheduleSyntax.curve(p, "curve"));
                yield new SchedulePolicy(schedule, p.choice("by", SchedulePolicy.Axis.class, SchedulePolicy.Axis.STEPS),
                        p.integer("every", 100, 1));
            }
            case Exp3Policy.NAME -> new Exp3Policy(initial, p.positive("rewardScale", 0.1, 1e6),
                    p.integer("warmup", 0, 0), p.integer("every", 1, 1));
            case ExcessLossPolicy.NAME -> {
                LossSource source = p.choice("signal", LossSource.class, LossSource.TRAIN);
                yield new ExcessLossPolicy(initial, reference(p, source), source,
                        p.number("eta", 1.0, 0, 1e6), p.number("smoothing", 1e-3, 0, 1), p.integer("every", 1, 1),
                        p.choice("output", ExcessLossPolicy.Output.class, ExcessLossPolicy.Output.CURRENT));
            }
            case BabelTowerPolicy.NAME -> {
                if (p.has("primaryFloor") && run.stream().noneMatch(l -> l.role() == LanguageRole.PRIMARY)) {
                    throw p.error("primaryFloor is set but the run has no PRIMARY language");
                }
                yield new BabelTowerPolicy(run, initial, p.number("reduction", 0.5, 0, 1),
                        p.number("primaryFloor", 0.1, 0, 1), p.choice("signal", LossSource.class, LossSource.TRAIN),
                        p.number("ema", 0.9, 0, 0.999999));
            }
            default -> throw new IllegalStateException("policy " + name + " is registered but not built");
        };
    }

    private static ReferenceLosses reference(PolicyParams p, LossSource source) {
        if (p.has("reference") == p.has("referenceRun")) {
            throw p.error("give exactly one of reference (lang=loss,...) or referenceRun (telemetry file)");
        }
        ReferenceLosses ref = p.has("reference")
                ? ReferenceLosses.constant(p.languageMap("reference", p.string("reference", ""), 0, 1e6, false))
                : ReferenceLosses.fromFile(Path.of(p.string("referenceRun", "")), source);
        List<String> missing = p.languages().stream().filter(l -> !ref.languages().contains(l)).toList();
        if (!missing.isEmpty()) {
            throw p.error("reference has no " + source.name().toLowerCase(Locale.ROOT) + " loss for "
                    + String.join(", ", missing));
        }
        return ref;
    }

    private static Guardrails guardrails(String name, PolicyParams p, List<RunLanguage> run) {
        List<RunLanguage> primary = run.stream().filter(l -> l.role() == LanguageRole.PRIMARY).toList();
        if (!BabelTowerPolicy.NAME.equals(name) || primary.size() != 1) {
            return Guardrails.fromParams(p);
        }
        // a single primary's floor is enforced on every update, not only on the policy's own targets
        return Guardrails.fromParams(p, Map.of(primary.get(0).id(), p.number("primaryFloor", 0.1, 0, 1)));
    }

    private static Map<String, Double> fill(PolicyParams p, Map<String, Double> given) {
        Map<String, Double> w = new LinkedHashMap<>();
        p.languages().forEach(l -> w.put(l, given.getOrDefault(l, 0.0)));
        return w;
    }

    private static Map<String, Double> positive(PolicyParams p, String key, Map<String, Double> w) {
        if (!(Weights.sum(w) > 0)) {
            throw p.error(key + " are all zero");
        }
        return w;
    }
}
