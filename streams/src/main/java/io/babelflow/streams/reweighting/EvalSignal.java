package io.babelflow.streams.reweighting;

import java.util.Map;

/** Held-out per-language loss measured at an eval point after {@code step}. */
public record EvalSignal(long step, Map<String, Double> heldoutLoss) {

    public EvalSignal {
        heldoutLoss = Maps.frozen(heldoutLoss);
    }
}
