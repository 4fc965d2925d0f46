package io.babelflow.trainer.train;

import java.util.Map;
import java.util.stream.Collectors;

/** A status report every {@code logging.every} steps; {@link #line()} formats it for a console. */
public record Progress(long step, long totalSteps, double tokensPerSecond, double loss, Map<String, Double> languageLoss,
        long mixtureVersion, double learningRate) {

    public String line() {
        String perLanguage = languageLoss.entrySet().stream()
                .map(e -> String.format("%s %.3f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        return String.format("step %d/%d  %.0f tok/s  loss %.4f [%s]  lr %.2e  mixture v%d",
                step, totalSteps, tokensPerSecond, loss, perLanguage, learningRate, mixtureVersion);
    }
}
