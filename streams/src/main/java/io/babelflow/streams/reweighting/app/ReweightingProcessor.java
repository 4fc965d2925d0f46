package io.babelflow.streams.reweighting.app;

import io.babelflow.events.EvalResult;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.Routed;
import io.babelflow.streams.reweighting.GuardrailCounters;
import io.babelflow.streams.reweighting.MixtureController;
import io.babelflow.streams.reweighting.MixtureDecision;
import io.babelflow.streams.reweighting.TelemetrySignals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each steered run's {@link MixtureController} on the run's decoded RunStarted, TrainStep,
 * EvalResult and StageChange records, in the order the task reads them, and forwards the
 * MixtureUpdates it decides. Dead letters of the decoders pass through (counted) to the app's one
 * dead-letter sink.
 *
 * <p><b>Runs.</b> A RunStarted naming a feedback policy steers the run; equal policy, params and
 * languages (another rank's RunStarted, a resume) keep the controller, different ones replace it
 * with versions continuing above the old ones. A RunStarted without a policy, or a tombstone,
 * forgets the run. Records of runs not steered are ignored. Invalid RunStarted records never get
 * here: the decoder sends them to the dead-letter topic and the run's state is left as it was.
 *
 * <p><b>Ranks.</b> A step's TrainStep records (one per data-parallel rank) are buffered and merged by
 * {@link TelemetrySignals#step} into the one signal the policy sees, oldest step first, as soon as
 * every rank {@code 0 … worldSize-1} has reported the step or a later one (a rank's records arrive in
 * order on the run's partition, so one that moved on will not report it), or, checked by the
 * wall-clock punctuator, once {@link ReweightingConfig#stepGrace()} has passed since the step's
 * first record (a dead rank); merging a step merges every older open step first. A record of a step
 * already merged, or a rank's second record of an open step, is ignored and counted as late. Eval
 * points are fed once per step, as they arrive (held-out sets are fixed, so one rank's result is the
 * measurement); StageChanges as they arrive.
 *
 * <p><b>Time.</b> Guardrail intervals use the wall clock ({@link ProcessorContext#currentSystemTimeMs}).
 * The punctuator, every {@link ReweightingConfig#punctuateInterval()}, also hands each controller
 * with a pending target the current time ({@link MixtureController#onTime}), so an update deferred
 * by {@code minSeconds} goes out when due even if the run sends nothing more.
 *
 * <p><b>State.</b> After every signal the controller's snapshot is written to
 * {@link ReweightingStores#CONTROLLERS}; store writes, forwarded updates and input offsets commit in
 * one exactly-once transaction, so after a crash the app resumes from a state that matches exactly
 * the updates the trainer can read (read_committed): versions neither repeat nor skip. Controllers
 * are kept built in memory between records, and dropped on (re)initialisation, when Kafka Streams
 * revives a task after an aborted transaction, so none can run ahead of its store.
 */
final class ReweightingProcessor implements Processor<String, Routed<SpecificRecord>, String, Routed<MixtureUpdate>> {
    private static final Logger LOG = LoggerFactory.getLogger(ReweightingProcessor.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private final ReweightingConfig config;
    private final Map<String, MixtureController> live = new HashMap<>();
    private final Set<String> unbuildable = new HashSet<>();
    private ProcessorContext<String, Routed<MixtureUpdate>> context;
    private KeyValueStore<String, FeedbackRun> runs;
    private KeyValueStore<String, byte[]> controllers;
    private KeyValueStore<String, StepProgress> progress;
    private KeyValueStore<String, OpenStep> openSteps;
    private ReweightingMetrics.Sensors sensors;

    ReweightingProcessor(ReweightingConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Routed<MixtureUpdate>> context) {
        this.context = context;
        runs = context.getStateStore(ReweightingStores.RUNS);
        controllers = context.getStateStore(ReweightingStores.CONTROLLERS);
        progress = context.getStateStore(ReweightingStores.STEP_PROGRESS);
        openSteps = context.getStateStore(ReweightingStores.OPEN_STEPS);
        live.clear();
        unbuildable.clear();
        sensors = new ReweightingMetrics.Sensors(context);
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, Routed<SpecificRecord>> record) {
        if (record.value() instanceof Routed.Reject<SpecificRecord> reject) {
            sensors.deadLetters.record();
            context.forward(new Record<>(record.key(), Routed.reject(reject.key(), reject.value()),
                    record.timestamp(), record.headers()));
            return;
        }
        SpecificRecord event = ((Routed.Pass<SpecificRecord>) record.value()).value();
        String runId = record.key();
        long now = context.currentSystemTimeMs();
        if (event == null) { // only the compacted runs topic passes tombstones
            if (runs.get(runId) != null) {
                forget(runId, "its RunStarted was deleted");
            }
        } else if (event instanceof RunStarted run) {
            configure(runId, run, now);
        } else if (event instanceof TrainStep step) {
            onTrainStep(runId, step, now);
        } else if (event instanceof EvalResult eval) {
            onEval(runId, eval, now);
        } else if (event instanceof StageChange change) {
            onStage(runId, change, now);
        } else {
            throw new IllegalStateException("no handler for " + event.getClass().getName());
        }
    }

    // ---- runs --------------------------------------------------------------------------------------

    private void configure(String runId, RunStarted run, long now) {
        FeedbackRun wanted = FeedbackRun.of(run);
        FeedbackRun current = runs.get(runId);
        if (wanted == null) {
            if (current != null) {
                forget(runId, "its RunStarted asks for no feedback");
            }
            return;
        }
        if (!wanted.equals(current)) {
            MixtureController controller = wanted.controller(); // the decoder has built it once already
            MixtureController previous = current == null ? null : controller(runId);
            if (previous != null) {
                controller.continueAfter(previous.version());
            }
            runs.put(runId, wanted);
            live.put(runId, controller);
            controllers.put(runId, controller.snapshot());
            sensors.runsSteered.record();
            LOG.info("{} run {} with policy {} {} from version {}", current == null ? "steering" : "reconfigured",
                    runId, wanted.policy(), wanted.params(), controller.version() + 1);
        }
        StepProgress p = progress(runId);
        if (run.getStartStep() != p.partStartStep()) {
            // a new part of the run (the first, or a resume): what the last part left open is merged as
            // it is, and steps from startStep on are taken again, since a resume re-runs them
            long start = run.getStartStep();
            p = mergeReady(runId, p, start - 1, now);
            deleteOpenSteps(runId, start);
            progress.put(runId, p.resumedAt(start));
        }
    }

    private void forget(String runId, String why) {
        runs.delete(runId);
        controllers.delete(runId);
        progress.delete(runId);
        deleteOpenSteps(runId, 0);
        live.remove(runId);
        unbuildable.remove(runId);
        LOG.info("stopped steering run {}: {}", runId, why);
    }

    // ---- signals -----------------------------------------------------------------------------------

    private void onTrainStep(String runId, TrainStep step, long now) {
        if (runs.get(runId) == null) {
            return;
        }
        StepProgress p = progress(runId);
        String key = StepKeys.of(runId, step.getStep());
        OpenStep open = step.getStep() <= p.lastMergedStep() ? null : openSteps.get(key);
        if (step.getStep() <= p.lastMergedStep() || (open != null && open.has(step.getRank()))) {
            sensors.lateRecords.record();
            LOG.debug("run {}: TrainStep of step {} rank {} ignored, step already merged or rank already in it",
                    runId, step.getStep(), step.getRank());
            return;
        }
        openSteps.put(key, (open == null ? OpenStep.first(now) : open).with(step));
        progress.put(runId, mergeReady(runId, p.withRankAt(step.getRank(), step.getStep()), -1, now));
    }

    private void onEval(String runId, EvalResult eval, long now) {
        if (runs.get(runId) == null) {
            return;
        }
        StepProgress p = progress(runId);
        if (eval.getStep() <= p.lastEvalStep()) {
            sensors.lateRecords.record();
            LOG.debug("run {}: EvalResult of step {} rank {} ignored, eval point already fed",
                    runId, eval.getStep(), eval.getRank());
            return;
        }
        MixtureController c = controller(runId);
        if (c == null) {
            return;
        }
        progress.put(runId, p.withEval(eval.getStep()));
        GuardrailCounters before = c.counters();
        settle(runId, c, before, c.onEval(TelemetrySignals.eval(List.of(eval)), now));
    }

    private void onStage(String runId, StageChange change, long now) {
        if (runs.get(runId) == null) {
            return;
        }
        MixtureController c = controller(runId);
        if (c == null) {
            return;
        }
        GuardrailCounters before = c.counters();
        settle(runId, c, before, c.onStage(TelemetrySignals.stage(change), now));
    }

    /**
     * Merges and feeds, oldest first, the run's open steps that every rank has passed or that are at
     * or below {@code forceThrough}; stops at the first that is neither, so steps reach the policy in
     * order. Returns the progress with the merged steps; the caller stores it.
     */
    private StepProgress mergeReady(String runId, StepProgress p, long forceThrough, long now) {
        for (KeyValue<String, OpenStep> entry : openSteps(runId)) {
            long step = StepKeys.stepOf(entry.key);
            OpenStep open = entry.value;
            if (step > forceThrough && !p.passedByAllRanks(step, open.worldSize())) {
                break;
            }
            openSteps.delete(entry.key);
            p = p.withMerged(step);
            List<TrainStep> ranks = open.records();
            sensors.stepsMerged.record();
            if (!open.complete()) {
                sensors.incompleteSteps.record();
                LOG.debug("run {}: step {} merged over ranks {} of a world of {}", runId, step, open.ranks().keySet(),
                        open.worldSize());
            }
            MixtureController c = controller(runId);
            if (c != null) {
                GuardrailCounters before = c.counters();
                settle(runId, c, before, c.onStep(TelemetrySignals.step(ranks), now));
            }
        }
        return p;
    }

    /** Stores the controller's new state, counts what its guardrails did and forwards its decision. */
    private void settle(String runId, MixtureController c, GuardrailCounters before, Optional<MixtureDecision> decision) {
        controllers.put(runId, c.snapshot());
        GuardrailCounters after = c.counters();
        ReweightingMetrics.Sensors.record(sensors.nonFinite, after.nonFiniteValues() - before.nonFiniteValues());
        ReweightingMetrics.Sensors.record(sensors.deferred, after.deferredTargets() - before.deferredTargets());
        decision.ifPresent(d -> {
            MixtureUpdate update = MixtureUpdate.newBuilder()
                    .setRunId(runId)
                    .setVersion(d.version())
                    .setWeights(d.weights())
                    .setPolicy(d.policy())
                    .setReason(d.reason())
                    .setBasedOnStep(d.basedOnStep())
                    .setCreatedAt(Instant.ofEpochMilli(d.createdAtMillis()))
                    .build();
            context.forward(new Record<>(runId, Routed.pass(update), d.createdAtMillis()));
            sensors.updates.record();
        });
    }

    // ---- wall clock --------------------------------------------------------------------------------

    private void punctuate(long now) {
        Map<String, Long> overdue = new LinkedHashMap<>(); // run → newest step past its grace period
        try (KeyValueIterator<String, OpenStep> it = openSteps.all()) {
            while (it.hasNext()) {
                KeyValue<String, OpenStep> entry = it.next();
                if (entry.value.overdue(now, config.stepGrace().toMillis())) {
                    overdue.merge(StepKeys.runOf(entry.key), StepKeys.stepOf(entry.key), Math::max);
                }
            }
        }
        overdue.forEach((runId, through) -> {
            LOG.debug("run {}: merging open steps through {} after the {} grace period", runId, through,
                    config.stepGrace());
            progress.put(runId, mergeReady(runId, progress(runId), through, now));
        });

        List<String> steered = new ArrayList<>();
        try (KeyValueIterator<String, FeedbackRun> it = runs.all()) {
            it.forEachRemaining(entry -> steered.add(entry.key));
        }
        for (String runId : steered) {
            MixtureController c = controller(runId);
            if (c == null || c.pending().isEmpty()) {
                continue;
            }
            byte[] before = c.snapshot();
            GuardrailCounters counters = c.counters();
            Optional<MixtureDecision> decision = c.onTime(now);
            if (decision.isPresent() || !Arrays.equals(before, c.snapshot())) {
                settle(runId, c, counters, decision);
            }
        }
    }

    // ---- state -------------------------------------------------------------------------------------

    /**
     * The run's controller: the live one, or rebuilt from its FeedbackRun and restored from its snapshot.
     * Null when the configuration cannot be built on this host (an excess-loss referenceRun file that
     * is not here): the run's signals are skipped, its state kept, and the other runs go on.
     */
    private MixtureController controller(String runId) {
        MixtureController c = live.get(runId);
        if (c == null) {
            FeedbackRun config = runs.get(runId);
            try {
                c = config.controller();
            } catch (InvalidInputException e) {
                if (unbuildable.add(runId)) {
                    LOG.error("run {}: policy {} cannot be built here, its signals are skipped: {}", runId,
                            config.policy(), e.getMessage());
                }
                return null;
            }
            unbuildable.remove(runId);
            byte[] snapshot = controllers.get(runId);
            if (snapshot != null) {
                c.restore(snapshot);
            }
            live.put(runId, c);
        }
        return c;
    }

    private StepProgress progress(String runId) {
        StepProgress p = progress.get(runId);
        return p == null ? StepProgress.NONE : p;
    }

    /** The run's open steps, oldest first (read out before the caller deletes any). */
    private List<KeyValue<String, OpenStep>> openSteps(String runId) {
        List<KeyValue<String, OpenStep>> out = new ArrayList<>();
        try (KeyValueIterator<String, OpenStep> it = openSteps.prefixScan(StepKeys.prefix(runId), KEYS)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private void deleteOpenSteps(String runId, long fromStep) {
        for (KeyValue<String, OpenStep> entry : openSteps(runId)) {
            if (StepKeys.stepOf(entry.key) >= fromStep) {
                openSteps.delete(entry.key);
            }
        }
    }

    @Override
    public void close() {
        live.clear();
        unbuildable.clear();
        if (sensors != null) {
            sensors.remove();
        }
    }
}
