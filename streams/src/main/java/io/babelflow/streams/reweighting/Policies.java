package io.babelflow.streams.reweighting;

import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.streams.reweighting.policy.BabelTowerPolicy;
import io.babelflow.streams.reweighting.policy.ExcessLossPolicy;
import io.babelflow.streams.reweighting.policy.Exp3Policy;
import io.babelflow.streams.reweighting.policy.LossCurveStageDetector;
import io.babelflow.streams.reweighting.policy.LossSource;
import io.babelflow.streams.reweighting.policy.SchedulePolicy;
import io.babelflow.streams.reweighting.policy.StaticPolicy;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The policy registry: every policy's name and parameters, declared once. {@link PolicyFactory} builds
 * from these declarations and rejects keys they do not name; docs/policies.md's parameter table is
 * kept equal to them by a test.
 */
public final class Policies {

    /** A registered policy and the parameters it reads besides the {@link Guards guardrails}. */
    public record Spec(String name, List<PolicyParam> params) {
    }

    /** The guardrails every policy takes (see {@link Guardrails}). */
    public static final class Guards {
        public static final PolicyParam FLOOR = PolicyParam.perLanguage("floor", 0, 0, 1,
                "per-language minimum weight");
        public static final PolicyParam CEILING = PolicyParam.perLanguage("ceiling", 1, 0, 1,
                "per-language maximum weight");
        public static final PolicyParam MAX_CHANGE = PolicyParam.positive("maxChange", 1, 1,
                "largest absolute change of one language's weight per update (1: no limit)");
        public static final PolicyParam MIN_STEPS = PolicyParam.integer("minSteps", 0, 0,
                "fewest steps between updates");
        public static final PolicyParam MIN_SECONDS = PolicyParam.number("minSeconds", 0, 0, 1e9,
                "least wall time between updates (a deferred update is sent by a wall-clock punctuator)");
        public static final List<PolicyParam> PARAMS = List.of(FLOOR, CEILING, MAX_CHANGE, MIN_STEPS, MIN_SECONDS);

        private Guards() {
        }
    }

    public static final class Static {
        public static final PolicyParam WEIGHTS = PolicyParam.text("weights", "the run's initial weights",
                "lang=weight,… in [0, 1000000000], not all 0", "the fixed weights (normalised)");
        static final Spec SPEC = new Spec(StaticPolicy.NAME, List.of(WEIGHTS));

        private Static() {
        }
    }

    public static final class Scheduled {
        public static final PolicyParam PHASES = PolicyParam.text("phases", "required",
                "`0:en=0.9,zh=0.1;2000:en=0.5,zh=0.5` (k/M/B suffixes allowed)",
                "the mixture at each phase point; weights move between points, never jump");
        public static final PolicyParam BY = PolicyParam.choice("by", SchedulePolicy.Axis.STEPS,
                "what phase positions count");
        public static final PolicyParam CURVE = PolicyParam.choice("curve", MixtureSchedule.Curve.LINEAR,
                EnumSet.of(MixtureSchedule.Curve.LINEAR, MixtureSchedule.Curve.COSINE),
                "how weights move between phase points");
        public static final PolicyParam EVERY = PolicyParam.integer("every", 100, 1, "steps between proposals");
        static final Spec SPEC = new Spec(SchedulePolicy.NAME, List.of(PHASES, BY, CURVE, EVERY));

        private Scheduled() {
        }
    }

    public static final class Exp3 {
        public static final PolicyParam REWARD_SCALE = PolicyParam.positive("rewardScale", 0.1, 1e6,
                "reward per unit of training loss");
        public static final PolicyParam WARMUP = PolicyParam.integer("warmup", 0, 0, "first step that may propose");
        public static final PolicyParam EVERY = PolicyParam.integer("every", 1, 1, "steps between proposals");
        static final Spec SPEC = new Spec(Exp3Policy.NAME, List.of(REWARD_SCALE, WARMUP, EVERY));

        private Exp3() {
        }
    }

    public static final class ExcessLoss {
        public static final PolicyParam REFERENCE = PolicyParam.text("reference", "none",
                "lang=loss,… for every language", "target losses; give exactly one of reference and referenceRun");
        public static final PolicyParam REFERENCE_RUN = PolicyParam.text("referenceRun", "none",
                "path of a recorded run's telemetry file", "reference losses at the same steps of a recorded run");
        public static final PolicyParam SIGNAL = PolicyParam.choice("signal", LossSource.TRAIN,
                "which loss is compared with the reference");
        public static final PolicyParam ETA = PolicyParam.number("eta", 1, 0, 1e6, "step size η");
        public static final PolicyParam SMOOTHING = PolicyParam.number("smoothing", 1e-3, 0, 1,
                "share c mixed in uniformly");
        public static final PolicyParam EVERY = PolicyParam.integer("every", 1, 1, "steps between proposals");
        public static final PolicyParam OUTPUT = PolicyParam.choice("output", ExcessLossPolicy.Output.CURRENT,
                "propose the latest α or DoReMi's average ᾱ");
        static final Spec SPEC = new Spec(ExcessLossPolicy.NAME,
                List.of(REFERENCE, REFERENCE_RUN, SIGNAL, ETA, SMOOTHING, EVERY, OUTPUT));

        private ExcessLoss() {
        }
    }

    public static final class BabelTower {
        private static final LossCurveStageDetector.Thresholds STAGES = LossCurveStageDetector.Thresholds.DEFAULT;
        public static final PolicyParam REDUCTION = PolicyParam.number("reduction", 0.5, 0, 1,
                "r: how much of a language's share Transition takes away");
        public static final PolicyParam PRIMARY_FLOOR = PolicyParam.number("primaryFloor", 0.1, 0, 1,
                "the primary's least weight (with one PRIMARY language also its guardrail floor)");
        public static final PolicyParam SIGNAL = PolicyParam.choice("signal", LossSource.TRAIN,
                "which loss curve P(ℓ) is read from");
        public static final PolicyParam EMA = PolicyParam.number("ema", 0.9, 0, 0.999999, "loss smoothing");
        public static final PolicyParam STAGE_TRANSITION_BELOW = PolicyParam.number("stageTransitionBelow",
                STAGES.transitionBelow(), 0, 1, "offline stage fallback: P below which Transition starts");
        public static final PolicyParam STAGE_STABLE_ABOVE = PolicyParam.number("stageStableAbove",
                STAGES.stableAbove(), 0, 1, "offline stage fallback: P at or above which Stabilization starts");
        public static final PolicyParam STAGE_PATIENCE = PolicyParam.integer("stagePatience", STAGES.patience(), 1,
                "offline stage fallback: consecutive observations a change needs");
        public static final PolicyParam STAGE_MIN_DROP = PolicyParam.number("stageMinDrop", STAGES.minDrop(), 0, 1,
                "offline stage fallback: least loss drop, as a share of the loss at the language's introduction "
                        + "(its weight in force first above 0; the backtest reports it), before Transition");
        static final Spec SPEC = new Spec(BabelTowerPolicy.NAME, List.of(REDUCTION, PRIMARY_FLOOR, SIGNAL, EMA,
                STAGE_TRANSITION_BELOW, STAGE_STABLE_ABOVE, STAGE_PATIENCE, STAGE_MIN_DROP));

        private BabelTower() {
        }
    }

    /** Every registered policy, in the order users see them. */
    public static final List<Spec> ALL = List.of(Static.SPEC, Scheduled.SPEC, Exp3.SPEC, ExcessLoss.SPEC,
            BabelTower.SPEC);

    private Policies() {
    }

    /** The registered policy names, e.g. for a CLI's choices. */
    public static List<String> names() {
        return ALL.stream().map(Spec::name).toList();
    }

    public static Optional<Spec> spec(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
