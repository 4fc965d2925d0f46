package io.babelflow.trainer.train;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.telemetry.TelemetrySink;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.trainer.probe.StatsWindow;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds a run's telemetry events and hands them to the sink, stamping each with the runId and the
 * next per-(run, rank) sequence number from the run's {@link SequenceReservation}. Single
 * data-parallel rank: rank 0, world size 1.
 */
final class RunTelemetry {
    private static final int RANK = 0;
    private static final int WORLD_SIZE = 1;

    private final TelemetrySink sink;
    private final String runId;
    private final SequenceReservation sequence;

    RunTelemetry(TelemetrySink sink, String runId, SequenceReservation sequence) {
        this.sink = sink;
        this.runId = runId;
        this.sequence = sequence;
    }

    /** Sequence number the next event gets. */
    long nextSequence() {
        return sequence.peek();
    }

    /** After the run's last event: a resume may number on right after it. */
    void releaseSequences() {
        sequence.release();
    }

    void runStarted(long startStep, RunConfig config) {
        List<LanguageSpec> languages = config.languages().stream()
                .map(l -> new LanguageSpec(l.id(), l.role(), l.weight())).toList();
        RunConfig.Feedback feedback = config.feedback();
        sink.emit(RunStarted.newBuilder().setRunId(runId).setRank(RANK).setWorldSize(WORLD_SIZE).setSequence(sequence.take())
                .setStartedAt(Instant.now()).setStartStep(startStep).setConfig(config.toYaml())
                .setLanguages(languages).setModel(config.model().toShape())
                .setFeedbackPolicy(feedback == null ? null : feedback.policy())
                .setPolicyParams(feedback == null || feedback.params() == null ? Map.of() : feedback.params())
                .build());
    }

    void trainStep(long step, long tokens, double learningRate, StepLosses losses, Mixture mixture) {
        sink.emit(TrainStep.newBuilder().setRunId(runId).setRank(RANK).setWorldSize(WORLD_SIZE).setStep(step)
                .setSequence(sequence.take()).setTimestamp(Instant.now()).setTokens(tokens).setLearningRate(learningRate)
                .setLoss(losses.loss()).setLanguageLoss(losses.languageLoss()).setLanguageTokens(losses.languageTokens())
                .setMixtureVersion(mixture.version()).setMixtureWeights(mixture.asMap())
                .build());
    }

    /** One ActivationStats event per layer. */
    void activationStats(StatsSource source, StatsWindow window) {
        for (int layer = 0; layer < window.layers(); layer++) {
            sink.emit(ActivationStats.newBuilder().setRunId(runId).setRank(RANK).setWorldSize(WORLD_SIZE)
                    .setSequence(sequence.take()).setSource(source)
                    .setWindowStart(window.windowStart()).setWindowEnd(window.windowEnd())
                    .setLayer(layer).setLayers(window.layers()).setNeurons(window.neurons())
                    .setLanguages(window.languages()).setTokens(Arrays.stream(window.tokens()).boxed().toList())
                    .setActiveCounts(PackedFloats.pack(window.activeCounts().get(layer)))
                    .setActivationSums(PackedFloats.pack(window.activationSums().get(layer)))
                    .build());
        }
    }

    void evalResult(long step, Map<String, Double> loss, Map<String, Long> tokens) {
        sink.emit(EvalResult.newBuilder().setRunId(runId).setRank(RANK).setSequence(sequence.take()).setStep(step)
                .setTimestamp(Instant.now()).setLanguageLoss(loss).setLanguageTokens(tokens).build());
    }

    /** One WorkingLanguage event per layer. */
    void workingLanguage(long step, List<List<LanguageReading>> readingsByLayer) {
        Instant now = Instant.now();
        for (int layer = 0; layer < readingsByLayer.size(); layer++) {
            sink.emit(WorkingLanguage.newBuilder().setRunId(runId).setRank(RANK).setSequence(sequence.take()).setStep(step)
                    .setTimestamp(now).setLayer(layer).setLayers(readingsByLayer.size())
                    .setReadings(readingsByLayer.get(layer)).build());
        }
    }

    void runEnded(long lastStep, String reason, String message) {
        sink.emit(RunEnded.newBuilder().setRunId(runId).setRank(RANK).setSequence(sequence.take()).setEndedAt(Instant.now())
                .setLastStep(lastStep).setReason(reason).setMessage(message).build());
    }

    /** Returns once every event so far is delivered or durable, so a checkpoint may follow. */
    void flush() {
        sink.flush();
    }
}
