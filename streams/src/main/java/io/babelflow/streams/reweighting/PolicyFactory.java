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
 * Builds a policy by name from a run's {@code feedbackPolicy}, {@code policyParams} and languages,
 * reading the parameters {@link Policies} declares (keys, defaults, ranges: docs/policies.md).
 * Unknown names, unknown keys and bad values are {@link InvalidInputException}s naming the problem.
 */
public final class PolicyFactory {

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
        return Optional.of(new LossCurveStageDetector(
                run.stream().filter(l -> l.role() == LanguageRole.NEW).map(RunLanguage::id).toList(),
                p.number(Policies.BabelTower.EMA),
                new LossCurveStageDetector.Thresholds(
                        p.number(Policies.BabelTower.STAGE_TRANSITION_BELOW),
                        p.number(Policies.BabelTower.STAGE_STABLE_ABOVE),
                        (int) p.integer(Policies.BabelTower.STAGE_PATIENCE),
                        p.number(Policies.BabelTower.STAGE_MIN_DROP))));
    }

    /** Which loss the policy reads for its curves, so a backtest knows which signal drives derived stages. */
    public static LossSource lossSource(String name, Map<String, String> params, List<RunLanguage> languages) {
        String policy = checkedName(name);
        PolicyParams p = params(policy, params, RunLanguage.validate(languages));
        return Policies.spec(policy).orElseThrow().params().stream().filter(param -> param.key().equals("signal"))
                .findFirst().map(signal -> p.choice(signal, LossSource.class)).orElse(LossSource.TRAIN);
    }

    private static String checkedName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("no reweighting policy given; choose one of " + String.join(", ", Policies.names()));
        }
        String n = name.trim();
        if (!Policies.names().contains(n)) {
            throw new InvalidInputException("unknown reweighting policy '" + n + "'; choose one of "
                    + String.join(", ", Policies.names()));
        }
        return n;
    }

    private static PolicyParams params(String name, Map<String, String> params, List<RunLanguage> run) {
        PolicyParams p = new PolicyParams(name.trim(), params, run.stream().map(RunLanguage::id).toList());
        Set<String> known = new HashSet<>();
        Policies.spec(name.trim()).orElseThrow().params().forEach(param -> known.add(param.key()));
        Policies.Guards.PARAMS.forEach(param -> known.add(param.key()));
        p.requireOnly(known);
        return p;
    }

    private static ReweightingPolicy build(String name, PolicyParams p, List<RunLanguage> run) {
        Map<String, Double> initial = Weights.initial(run);
        return switch (name) {
            case StaticPolicy.NAME -> new StaticPolicy(p.has(Policies.Static.WEIGHTS)
                    ? positive(p, "weights", fill(p, p.languageMap("weights", p.string(Policies.Static.WEIGHTS), 0, 1e9,
                            false)))
                    : initial);
            case SchedulePolicy.NAME -> {
                if (!p.has(Policies.Scheduled.PHASES)) {
                    throw p.error("parameter phases is required, e.g. phases=0:en=0.9,zh=0.1;2000:en=0.5,zh=0.5");
                }
                MixtureSchedule schedule = ScheduleSyntax.parse(p, "phases", p.string(Policies.Scheduled.PHASES),
                        ScheduleSyntax.curve(p, Policies.Scheduled.CURVE.key()));
                yield new SchedulePolicy(schedule, p.choice(Policies.Scheduled.BY, SchedulePolicy.Axis.class),
                        p.integer(Policies.Scheduled.EVERY));
            }
            case Exp3Policy.NAME -> new Exp3Policy(initial, p.positive(Policies.Exp3.REWARD_SCALE),
                    p.integer(Policies.Exp3.WARMUP), p.integer(Policies.Exp3.EVERY));
            case ExcessLossPolicy.NAME -> {
                LossSource source = p.choice(Policies.ExcessLoss.SIGNAL, LossSource.class);
                yield new ExcessLossPolicy(initial, reference(p, source), source, p.number(Policies.ExcessLoss.ETA),
                        p.number(Policies.ExcessLoss.SMOOTHING), p.integer(Policies.ExcessLoss.EVERY),
                        p.choice(Policies.ExcessLoss.OUTPUT, ExcessLossPolicy.Output.class));
            }
            case BabelTowerPolicy.NAME -> {
                if (p.has(Policies.BabelTower.PRIMARY_FLOOR) && run.stream().noneMatch(l -> l.role() == LanguageRole.PRIMARY)) {
                    throw p.error("primaryFloor is set but the run has no PRIMARY language");
                }
                yield new BabelTowerPolicy(run, initial, p.number(Policies.BabelTower.REDUCTION),
                        p.number(Policies.BabelTower.PRIMARY_FLOOR), p.choice(Policies.BabelTower.SIGNAL, LossSource.class),
                        p.number(Policies.BabelTower.EMA));
            }
            default -> throw new IllegalStateException("policy " + name + " is registered but not built");
        };
    }

    private static ReferenceLosses reference(PolicyParams p, LossSource source) {
        if (p.has(Policies.ExcessLoss.REFERENCE) == p.has(Policies.ExcessLoss.REFERENCE_RUN)) {
            throw p.error("give exactly one of reference (lang=loss,...) or referenceRun (telemetry file)");
        }
        ReferenceLosses ref = p.has(Policies.ExcessLoss.REFERENCE)
                ? ReferenceLosses.constant(p.languageMap("reference", p.string(Policies.ExcessLoss.REFERENCE), 0, 1e6,
                        false))
                : ReferenceLosses.fromFile(Path.of(p.string(Policies.ExcessLoss.REFERENCE_RUN)), source);
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
        return Guardrails.fromParams(p, Map.of(primary.get(0).id(), p.number(Policies.BabelTower.PRIMARY_FLOOR)));
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
