package io.babelflow.schemas;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.ModelShape;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic instance of every event type, for round-trip and broker tests. */
public final class SampleEvents {
    public static final String RUN = "run-sample";
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");

    private SampleEvents() {
    }

    public static RunStarted runStarted() {
        return RunStarted.newBuilder().setRunId(RUN).setSequence(0).setStartedAt(T0)
                .setConfig("model:\n  layers: 2\n")
                .setLanguages(List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.7),
                        new LanguageSpec("go", LanguageRole.NEW, 0.3)))
                .setModel(new ModelShape(2, 64, 4, 256, 128, 256))
                .setFeedbackPolicy("exp3").setPolicyParams(Map.of("eta", "0.1")).build();
    }

    public static TrainStep trainStep() {
        return TrainStep.newBuilder().setRunId(RUN).setStep(41).setSequence(1).setTimestamp(T0.plusSeconds(3))
                .setTokens(2048).setLearningRate(3e-4).setLoss(2.25)
                .setLanguageLoss(Map.of("python", 2.0, "go", 2.75))
                .setLanguageTokens(Map.of("python", 1408L, "go", 640L))
                .setMixtureVersion(2).setMixtureWeights(Map.of("python", 0.7, "go", 0.3)).build();
    }

    public static ActivationStats activationStats() {
        return ActivationStats.newBuilder().setRunId(RUN).setSequence(2).setSource(StatsSource.TRAIN)
                .setWindowStart(31).setWindowEnd(40).setLayer(1).setLayers(2).setNeurons(3)
                .setLanguages(List.of("python", "go")).setTokens(List.of(100L, 50L))
                .setActiveCounts(PackedFloats.pack(new float[] {10, 0, 100, 0, 50, 25}))
                .setActivationSums(PackedFloats.pack(new float[] {1.5f, 0, 20, 0, 7.25f, 3})).build();
    }

    public static WorkingLanguage workingLanguage() {
        return WorkingLanguage.newBuilder().setRunId(RUN).setSequence(3).setStep(40).setTimestamp(T0.plusSeconds(4))
                .setLayer(0).setLayers(2)
                .setReadings(List.of(new LanguageReading("go", 12, Map.of("go", 0.25, "python", 0.5)))).build();
    }

    public static EvalResult evalResult() {
        return EvalResult.newBuilder().setRunId(RUN).setSequence(4).setStep(40).setTimestamp(T0.plusSeconds(5))
                .setLanguageLoss(Map.of("python", 2.1, "go", 2.9))
                .setLanguageTokens(Map.of("python", 8192L, "go", 8192L)).build();
    }

    public static RunEnded runEnded() {
        return RunEnded.newBuilder().setRunId(RUN).setSequence(5).setEndedAt(T0.plusSeconds(60)).setLastStep(99)
                .setReason("completed").build();
    }

    public static NeuronSpecialization neuronSpecialization() {
        return NeuronSpecialization.newBuilder().setRunId(RUN).setWindowStart(31).setWindowEnd(40).setLayer(1)
                .setNeurons(3).setComplete(true).setProbabilityBar(0.4).setTopRate(0.01).setMeanEntropy(0.5)
                .setSpecificNeurons(Map.of("go", List.of(1, 2), "python", List.of(2)))
                .setTransferringNeurons(Map.of("go", List.of(2)))
                .setJaccardWithPrevious(Map.of("go", 0.5)).setCreatedAt(T0.plusSeconds(6)).build();
    }

    public static StageChange stageChange() {
        return StageChange.newBuilder().setRunId(RUN).setLanguage("go").setFrom(Stage.TRANSLATION)
                .setTo(Stage.TRANSITION).setStep(1200).setSignals(Map.of("transferRatio", 0.2))
                .setReason("transfer ratio 0.20 < 0.35 for 3 windows").setCreatedAt(T0.plusSeconds(7)).build();
    }

    public static MixtureUpdate mixtureUpdate() {
        return MixtureUpdate.newBuilder().setRunId(RUN).setVersion(3).setWeights(Map.of("python", 0.6, "go", 0.4))
                .setPolicy("exp3").setReason("go loss 2.75 > python 2.0").setBasedOnStep(41)
                .setCreatedAt(T0.plusSeconds(8)).build();
    }

    /** One sample of each type in {@link Events#ALL}, in that order. */
    public static List<SpecificRecord> all() {
        return List.of(runStarted(), trainStep(), activationStats(), workingLanguage(), evalResult(), runEnded(),
                neuronSpecialization(), stageChange(), mixtureUpdate());
    }
}
