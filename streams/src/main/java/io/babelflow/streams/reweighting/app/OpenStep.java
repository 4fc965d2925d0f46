package io.babelflow.streams.reweighting.app;

import io.babelflow.events.TrainStep;
import io.babelflow.schemas.AvroSerde;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A training step some but not all ranks have reported: each rank's TrainStep (Avro single-object
 * bytes, so the merge sees exactly what arrived), the world size, and when the first rank arrived.
 * Ranks are kept in rank order so the merged floating-point means are the same after a restart.
 */
record OpenStep(int worldSize, long firstSeenMillis, SortedMap<Integer, byte[]> ranks) {
    private static final AvroSerde<TrainStep> SERDE = AvroSerde.of(TrainStep.class);

    OpenStep {
        ranks = Collections.unmodifiableSortedMap(new TreeMap<>(ranks));
    }

    static OpenStep first(long nowMillis) {
        return new OpenStep(0, nowMillis, new TreeMap<>());
    }

    boolean has(int rank) {
        return ranks.containsKey(rank);
    }

    /** Ranks may disagree on the world size only across a resize; the largest one waits for all. */
    OpenStep with(TrainStep step) {
        SortedMap<Integer, byte[]> next = new TreeMap<>(ranks);
        next.put(step.getRank(), SERDE.encode(step));
        return new OpenStep(Math.max(worldSize, step.getWorldSize()), firstSeenMillis, next);
    }

    boolean complete() {
        return ranks.size() >= worldSize;
    }

    boolean overdue(long nowMillis, long graceMillis) {
        return nowMillis - firstSeenMillis >= graceMillis;
    }

    List<TrainStep> records() {
        return ranks.values().stream().map(SERDE::decode).toList();
    }
}
