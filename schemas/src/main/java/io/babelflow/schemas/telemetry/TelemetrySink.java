package io.babelflow.schemas.telemetry;

import org.apache.avro.specific.SpecificRecord;

/**
 * Where a trainer's events go. Implementations must never make the training thread wait on a
 * network: {@link #emit} hands the event over and returns.
 */
public interface TelemetrySink extends AutoCloseable {

    /** Accepts one telemetry event (one of {@link io.babelflow.schemas.Events#TELEMETRY}). */
    void emit(SpecificRecord event);

    /**
     * Returns once every event emitted so far is delivered or durable (it survives a crash of this
     * process); may wait, so call it at checkpoints, not every step.
     */
    default void flush() {
    }

    @Override
    void close();

    /** A sink that drops everything: the baseline of the telemetry-overhead benchmark. */
    TelemetrySink NOOP = new TelemetrySink() {
        @Override
        public void emit(SpecificRecord event) {
        }

        @Override
        public void close() {
        }
    };
}
