package io.babelflow.streams.observatory;

/**
 * What changed on a run's timeline, as it is processed: the live page's server-sent events and the
 * Prometheus gauges follow these. {@code kind}: run, train, heldout, mixture, neurons, transfer,
 * working-language, stage, dead-letter; {@code data} is a small JSON-ready value.
 */
public record ObservatoryUpdate(String runId, String kind, long step, Object data) {
}
