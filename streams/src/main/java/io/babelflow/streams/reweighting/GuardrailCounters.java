package io.babelflow.streams.reweighting;

/**
 * What the guardrails dropped or changed since the run's policy started (carried across restarts).
 *
 * @param nonFiniteValues  NaN or infinite losses, tokens or weights dropped from signals and targets
 * @param negativeValues   negative losses, tokens or weights dropped
 * @param unknownLanguages signal or target entries for languages the run does not have
 * @param rejectedTargets  targets with no positive finite weight at all, discarded
 * @param deferredTargets  new targets that arrived before the minimum interval had passed
 * @param limitedUpdates   updates that max-change, floors or ceilings moved away from the target
 */
public record GuardrailCounters(long nonFiniteValues, long negativeValues, long unknownLanguages,
                                long rejectedTargets, long deferredTargets, long limitedUpdates) {

    public static final GuardrailCounters ZERO = new GuardrailCounters(0, 0, 0, 0, 0, 0);

    GuardrailCounters plusDropped(long nonFinite, long negative, long unknown) {
        return new GuardrailCounters(nonFiniteValues + nonFinite, negativeValues + negative,
                unknownLanguages + unknown, rejectedTargets, deferredTargets, limitedUpdates);
    }

    GuardrailCounters plusRejected() {
        return new GuardrailCounters(nonFiniteValues, negativeValues, unknownLanguages, rejectedTargets + 1,
                deferredTargets, limitedUpdates);
    }

    GuardrailCounters plusDeferred() {
        return new GuardrailCounters(nonFiniteValues, negativeValues, unknownLanguages, rejectedTargets,
                deferredTargets + 1, limitedUpdates);
    }

    GuardrailCounters plusLimited() {
        return new GuardrailCounters(nonFiniteValues, negativeValues, unknownLanguages, rejectedTargets,
                deferredTargets, limitedUpdates + 1);
    }
}
