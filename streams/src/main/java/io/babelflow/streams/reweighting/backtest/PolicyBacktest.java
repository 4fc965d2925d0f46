package io.babelflow.streams.reweighting.backtest;

import io.babelflow.events.EvalResult;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.streams.reweighting.EvalSignal;
import io.babelflow.streams.reweighting.MixtureController;
import io.babelflow.streams.reweighting.MixtureDecision;
import io.babelflow.streams.reweighting.PolicyFactory;
import io.babelflow.streams.reweighting.RunLanguage;
import io.babelflow.streams.reweighting.StageChangeSignal;
import io.babelflow.streams.reweighting.StepSignal;
import io.babelflow.streams.reweighting.TelemetrySignals;
import io.babelflow.streams.reweighting.Weights;
import io.babelflow.streams.reweighting.policy.LossCurveStageDetector;
import io.babelflow.streams.reweighting.policy.LossSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * Replays a recorded run's telemetry through a policy offline, exactly as the reweighting app would
 * run it live (same {@link MixtureController}, same guardrails), and returns the mixture it would have
 * set at every step.
 *
 * <p>Replay order: events are grouped by step, data-parallel ranks merged ({@link TelemetrySignals}),
 * and each step is fed as TrainStep, then the eval point at that step, then stage changes at that step.
 * The guardrails' wall clock is the recorded timestamp of each event. The replay is open-loop: the
 * losses are those of the recorded mixture, whatever the policy would have chosen — which is also why
 * exp3's importance weights use the recorded weights in force. A recorded trainer file has no
 * StageChange events; for babel-tower the stages are then derived from the loss curve by
 * {@link LossCurveStageDetector} on the policy's loss signal, configured by the policy's parameters.
 */
public final class PolicyBacktest {
    private PolicyBacktest() {
    }

    /** Reads a telemetry file and replays it; a truncated tail is reported in the result. */
    public static BacktestResult run(Path telemetryFile, String policy, Map<String, String> params) {
        if (!Files.isRegularFile(telemetryFile)) {
            throw new InvalidInputException("telemetry file " + telemetryFile + " does not exist or is not a file");
        }
        List<SpecificRecord> events = new ArrayList<>();
        long unreadableTailBytes = TelemetryFile.read(telemetryFile, events::add);
        return run(events, policy, params, unreadableTailBytes > 0 ? 1 : 0);
    }

    /** Replays events (as read by TelemetryFile, optionally with StageChange events added). */
    public static BacktestResult run(List<? extends SpecificRecord> events, String policy, Map<String, String> params) {
        return run(events, policy, params, 0);
    }

    private static BacktestResult run(List<? extends SpecificRecord> events, String policy, Map<String, String> params,
                                      int unreadable) {
        RunStarted start = events.stream().filter(RunStarted.class::isInstance).map(RunStarted.class::cast)
                .findFirst().orElseThrow(() -> new InvalidInputException(
                        "the telemetry has no RunStarted record, so the run's languages are unknown"));
        List<RunLanguage> languages = RunLanguage.fromSpecs(start.getLanguages());
        MixtureController controller = PolicyFactory.controller(policy, params, languages);

        TreeMap<Long, StepEvents> byStep = new TreeMap<>();
        String runId = start.getRunId();
        for (SpecificRecord e : events) {
            if (e instanceof TrainStep s && s.getRunId().equals(runId)) {
                byStep.computeIfAbsent(s.getStep(), k -> new StepEvents()).train.add(s);
            } else if (e instanceof EvalResult r && r.getRunId().equals(runId)) {
                byStep.computeIfAbsent(r.getStep(), k -> new StepEvents()).evals.add(r);
            } else if (e instanceof StageChange c && c.getRunId().equals(runId)) {
                byStep.computeIfAbsent(c.getStep(), k -> new StepEvents()).stages.add(c);
            }
        }
        boolean recordedStages = byStep.values().stream().anyMatch(s -> !s.stages.isEmpty());
        Optional<LossCurveStageDetector> detector = recordedStages ? Optional.empty()
                : PolicyFactory.lossCurveStageDetector(policy, params, languages);
        LossSource lossSource = PolicyFactory.lossSource(policy, params, languages);
        BacktestResult.StageSource stageSource = recordedStages ? BacktestResult.StageSource.RECORDED
                : detector.isPresent() ? BacktestResult.StageSource.DERIVED_FROM_LOSS : BacktestResult.StageSource.NONE;

        List<BacktestResult.Point> series = new ArrayList<>();
        List<BacktestResult.Update> updates = new ArrayList<>();
        long tokens = 0;
        for (Map.Entry<Long, StepEvents> entry : byStep.entrySet()) {
            long step = entry.getKey();
            StepEvents at = entry.getValue();
            StepSignal trained = null;
            long trainedAt = 0;
            if (!at.train.isEmpty()) {
                trained = TelemetrySignals.step(at.train);
                trainedAt = at.train.stream().mapToLong(t -> t.getTimestamp().toEpochMilli()).max().orElse(0);
                controller.onStep(trained, trainedAt).ifPresent(d -> updates.add(new BacktestResult.Update(step, d)));
                StepSignal inForce = trained;
                detector.ifPresent(d -> d.weightsInForce(inForce.weightsInForce()));
                if (lossSource == LossSource.TRAIN) {
                    derive(detector, controller, step, trained.languageLoss(), trainedAt, updates);
                }
                tokens += Math.max(0, trained.tokens());
            }
            if (!at.evals.isEmpty()) {
                EvalSignal signal = TelemetrySignals.eval(at.evals);
                long time = at.evals.stream().mapToLong(r -> r.getTimestamp().toEpochMilli()).max().orElse(0);
                controller.onEval(signal, time).ifPresent(d -> updates.add(new BacktestResult.Update(step, d)));
                if (lossSource == LossSource.HELDOUT) {
                    derive(detector, controller, step, signal.heldoutLoss(), time, updates);
                }
            }
            for (StageChange c : at.stages) {
                controller.onStage(TelemetrySignals.stage(c), c.getCreatedAt().toEpochMilli())
                        .ifPresent(d -> updates.add(new BacktestResult.Update(step, d)));
            }
            if (trained != null) {
                series.add(new BacktestResult.Point(step, tokens, trainedAt, controller.version(), controller.weights(),
                        recorded(trained, languages)));
            }
        }
        return new BacktestResult(start.getRunId(), policy, params == null ? Map.of() : params,
                languages.stream().map(RunLanguage::id).toList(), stageSource, series, updates, controller.counters(),
                unreadable);
    }

    private static void derive(Optional<LossCurveStageDetector> detector, MixtureController controller, long step,
                               Map<String, Double> loss, long time, List<BacktestResult.Update> updates) {
        if (detector.isEmpty()) {
            return;
        }
        for (StageChangeSignal s : detector.get().observe(step, loss)) {
            Optional<MixtureDecision> d = controller.onStage(s, time);
            d.ifPresent(u -> updates.add(new BacktestResult.Update(step, u)));
        }
    }

    private static Map<String, Double> recorded(StepSignal signal, List<RunLanguage> languages) {
        Map<String, Double> w = new LinkedHashMap<>();
        languages.forEach(l -> w.put(l.id(), signal.weightsInForce().getOrDefault(l.id(), 0.0)));
        return Weights.sum(w) > 0 && Double.isFinite(Weights.sum(w)) ? Weights.normalised(w) : Map.of();
    }

    private static final class StepEvents {
        final List<TrainStep> train = new ArrayList<>();
        final List<EvalResult> evals = new ArrayList<>();
        final List<StageChange> stages = new ArrayList<>();
    }
}
