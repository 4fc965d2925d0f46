package io.babelflow.streams.specialization.app;

import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.streams.specialization.stage.RunLanguages;
import io.babelflow.streams.specialization.stage.RunSummary;
import io.babelflow.streams.specialization.stage.StageDetector;
import io.babelflow.streams.specialization.stage.StageEvidence;
import io.babelflow.streams.specialization.stage.StageObservation;
import io.babelflow.streams.specialization.stage.StageThresholds;
import io.babelflow.streams.specialization.stage.StageTimeline;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds every piece of evidence of a run into its {@link RunSummary} and, at each newest closed window, runs
 * the {@link StageDetector} of every new language over the window's transfer measure and neuron sets, the
 * latest working-language share, and the latest held-out loss slope and loss trajectory since the language
 * was introduced. Emits a StageChange only when a stage changes.
 */
final class StageProcessor implements Processor<String, StageEvidence, String, StageChange> {
    private final StageDetector detector;
    private ProcessorContext<String, StageChange> context;
    private KeyValueStore<String, RunStarted> runs;
    private KeyValueStore<String, RunSummary> summaries;
    private KeyValueStore<String, StageTimeline> timelines;

    StageProcessor(StageThresholds thresholds) {
        this.detector = new StageDetector(thresholds);
    }

    @Override
    public void init(ProcessorContext<String, StageChange> context) {
        this.context = context;
        runs = context.getStateStore(SpecializationStores.RUNS);
        summaries = context.getStateStore(SpecializationStores.RUN_SUMMARY);
        timelines = context.getStateStore(SpecializationStores.STAGE_TIMELINE);
    }

    @Override
    public void process(Record<String, StageEvidence> record) {
        String runId = record.key();
        RunLanguages roles = RunLanguages.of(runs.get(runId));
        RunSummary summary = summaries.get(runId);
        summary = summary == null ? RunSummary.empty(runId, roles) : summary.withLanguages(roles);
        long now = context.currentSystemTimeMs();
        StageEvidence evidence = record.value();
        if (evidence instanceof StageEvidence.ShareEvidence share) {
            summary = summary.withShare(share, now);
        } else if (evidence instanceof StageEvidence.LossEvidence loss) {
            summary = summary.withLoss(loss, now);
        } else if (evidence instanceof StageEvidence.WindowEvidence window) {
            summary = summary.withWindow(window, now);
            if (window.newest()) {
                summary = detect(runId, roles, summary, window, record.timestamp(), now);
            }
        }
        summaries.put(runId, summary);
    }

    private RunSummary detect(String runId, RunLanguages roles, RunSummary summary, StageEvidence.WindowEvidence window,
            long timestamp, long now) {
        for (String language : roles.newLanguages()) {
            Optional<StageObservation> seen = StageObservation.of(window, summary, language);
            if (seen.isEmpty()) {
                continue;
            }
            StageObservation observation = seen.get();
            StageDetector.Outcome outcome = detector.observe(summary.stage(language), observation);
            summary = summary.withStage(language, outcome.state());
            StageDetector.Change change = outcome.change();
            if (change != null) {
                StageChange event = StageChange.newBuilder()
                        .setRunId(runId)
                        .setLanguage(language)
                        .setFrom(change.from())
                        .setTo(change.to())
                        .setStep(window.windowEnd())
                        .setSignals(observation.signals())
                        .setReason(change.reason())
                        .setCreatedAt(Instant.ofEpochMilli(now))
                        .build();
                StageTimeline timeline = timelines.get(runId);
                timelines.put(runId, (timeline == null ? StageTimeline.EMPTY : timeline).with(new StageTimeline.Entry(
                        language, change.from(), change.to(), window.windowEnd(), observation.signals(),
                        change.reason(), now)));
                context.forward(new Record<>(runId, event, timestamp));
            }
        }
        return summary;
    }
}
