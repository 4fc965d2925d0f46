package io.babelflow.streams.reweighting.app;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Hand-built telemetry for the reweighting topology tests. */
final class Telemetry {
    static final List<LanguageSpec> PYTHON_GO = List.of(
            new LanguageSpec("python", LanguageRole.PRIMARY, 0.5),
            new LanguageSpec("go", LanguageRole.NEW, 0.5));

    private Telemetry() {
    }

    static RunStarted run(String runId, int worldSize, String policy, Map<String, String> params,
            List<LanguageSpec> languages) {
        return run(runId, 0, worldSize, 0, policy, params, languages);
    }

    static RunStarted run(String runId, int rank, int worldSize, long startStep, String policy,
            Map<String, String> params, List<LanguageSpec> languages) {
        return RunStarted.newBuilder()
                .setRunId(runId).setRank(rank).setWorldSize(worldSize).setSequence(0)
                .setStartedAt(Instant.EPOCH).setStartStep(startStep).setConfig("{}")
                .setLanguages(languages)
                .setModel(new ModelShape(2, 16, 2, 64, 64, 256))
                .setFeedbackPolicy(policy)
                .setPolicyParams(params)
                .build();
    }

    static TrainStep step(String runId, int rank, int worldSize, long step, Map<String, Double> loss,
            Map<String, Long> tokens, long mixtureVersion, Map<String, Double> weightsInForce) {
        return TrainStep.newBuilder()
                .setRunId(runId).setRank(rank).setWorldSize(worldSize).setStep(step).setSequence(step)
                .setTimestamp(Instant.EPOCH.plusSeconds(step))
                .setTokens(tokens.values().stream().mapToLong(Long::longValue).sum())
                .setLearningRate(1e-3).setLoss(2.0)
                .setLanguageLoss(loss).setLanguageTokens(tokens)
                .setMixtureVersion(mixtureVersion).setMixtureWeights(weightsInForce)
                .build();
    }

    /** A single-rank step with 1000 tokens per language that has a loss. */
    static TrainStep step(String runId, long step, Map<String, Double> loss, long mixtureVersion,
            Map<String, Double> weightsInForce) {
        Map<String, Long> tokens = new java.util.LinkedHashMap<>();
        loss.keySet().forEach(l -> tokens.put(l, 1000L));
        return step(runId, 0, 1, step, loss, tokens, mixtureVersion, weightsInForce);
    }

    static EvalResult eval(String runId, int rank, long step, Map<String, Double> loss) {
        return EvalResult.newBuilder()
                .setRunId(runId).setRank(rank).setSequence(step).setStep(step).setTimestamp(Instant.EPOCH)
                .setLanguageLoss(loss).setLanguageTokens(Map.of())
                .build();
    }

    static StageChange stage(String runId, String language, Stage from, Stage to, long step) {
        return StageChange.newBuilder()
                .setRunId(runId).setLanguage(language).setFrom(from).setTo(to).setStep(step)
                .setSignals(Map.of("transferringRatio", 0.4)).setReason("test")
                .setCreatedAt(Instant.EPOCH)
                .build();
    }
}
