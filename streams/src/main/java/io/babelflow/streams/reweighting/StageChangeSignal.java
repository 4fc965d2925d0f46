package io.babelflow.streams.reweighting;

import io.babelflow.events.Stage;
import java.util.Map;
import java.util.Objects;

/**
 * A new language moved to another Babel Tower stage. {@code from} is null for a language's first
 * classification; {@code signals} are the values the stage detector used.
 */
public record StageChangeSignal(String language, Stage from, Stage to, long step, Map<String, Double> signals) {

    public StageChangeSignal {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(to, "to");
        signals = Maps.frozen(signals);
    }
}
