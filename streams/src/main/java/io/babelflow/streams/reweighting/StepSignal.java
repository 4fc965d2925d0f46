package io.babelflow.streams.reweighting;

import java.util.Map;

/**
 * One optimisation step of the whole run (all data-parallel ranks merged): per-language mean training
 * loss and tokens of the step's batch, and the mixture the batch was sampled with. Languages absent
 * from the batch are absent from the maps.
 */
public record StepSignal(long step, long tokens, Map<String, Double> languageLoss, Map<String, Long> languageTokens,
                         long mixtureVersion, Map<String, Double> weightsInForce) {

    public StepSignal {
        languageLoss = Maps.frozen(languageLoss);
        languageTokens = Maps.frozen(languageTokens);
        weightsInForce = Maps.frozen(weightsInForce);
    }
}
