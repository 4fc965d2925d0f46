package io.babelflow.streams.reweighting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.babelflow.events.TrainStep;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetrySignalsTest {

    private static TrainStep rank(int rank, long tokens, Map<String, Double> loss, Map<String, Long> langTokens,
                                  long version) {
        return TrainStep.newBuilder().setRunId("r").setRank(rank).setWorldSize(2).setStep(5).setSequence(9)
                .setTimestamp(Instant.ofEpochMilli(1000 + rank)).setTokens(tokens).setLearningRate(1e-3)
                .setLoss(2.0).setLanguageLoss(loss).setLanguageTokens(langTokens).setMixtureVersion(version)
                .setMixtureWeights(Map.of("en", 0.5 + version, "zh", 0.5)).build();
    }

    @Test
    void ranksMergeIntoTokenWeightedLosses() {
        StepSignal s = TelemetrySignals.step(List.of(
                rank(0, 300, Map.of("en", 2.0, "zh", 4.0), Map.of("en", 100L, "zh", 200L), 3),
                rank(1, 400, Map.of("en", 3.0), Map.of("en", 300L), 3)));
        assertEquals(5, s.step());
        assertEquals(700, s.tokens());
        assertEquals((100 * 2.0 + 300 * 3.0) / 400, s.languageLoss().get("en"), 1e-12);
        assertEquals(4.0, s.languageLoss().get("zh"), 1e-12);
        assertEquals(Map.of("en", 400L, "zh", 200L), s.languageTokens());
        assertEquals(3, s.mixtureVersion());
    }

    @Test
    void withoutTokensTheMeanIsPlain() {
        StepSignal s = TelemetrySignals.step(List.of(rank(0, 0, Map.of("en", 2.0), Map.of(), 1),
                rank(1, 0, Map.of("en", 3.0), Map.of(), 2)));
        assertEquals(2.5, s.languageLoss().get("en"), 1e-12);
        assertEquals(2, s.mixtureVersion());
        assertEquals(2.5, s.weightsInForce().get("en"), 1e-12); // weights of the newest version
    }
}
