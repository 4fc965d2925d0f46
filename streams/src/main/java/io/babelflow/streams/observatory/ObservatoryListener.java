package io.babelflow.streams.observatory;

/**
 * Told of every update right after it is written to the stores, on a stream thread: must not block.
 * Updates of a transaction that is later aborted come again when the records are reprocessed, so a
 * listener treats (run, kind, step) as idempotent.
 */
@FunctionalInterface
public interface ObservatoryListener {
    ObservatoryListener NONE = update -> { };

    void onUpdate(ObservatoryUpdate update);
}
