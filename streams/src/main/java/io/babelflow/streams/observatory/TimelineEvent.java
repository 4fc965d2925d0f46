package io.babelflow.streams.observatory;

import java.util.Map;

/**
 * A discrete event on a run's timeline: a mixture update ({@code kind} "mixture": weights, version,
 * policy) or a stage change ("stage": language, from, to). {@code reason} is the producer's
 * explanation, shown on hover.
 */
public record TimelineEvent(String kind, long step, long time, String language, String from, String to,
        long version, String policy, Map<String, Double> values, String reason) {
}
