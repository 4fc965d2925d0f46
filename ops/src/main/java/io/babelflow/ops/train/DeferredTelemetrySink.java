package io.babelflow.ops.train;

import io.babelflow.schemas.telemetry.TelemetrySink;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * A sink the trainer can be given before it validates its input, opened only afterwards (by
 * {@link #open()}, or at the first event): bad input then leaves no telemetry file or spool behind.
 */
public final class DeferredTelemetrySink implements TelemetrySink {
    private final Supplier<TelemetrySink> factory;
    private TelemetrySink sink;

    public DeferredTelemetrySink(Supplier<TelemetrySink> factory) {
        this.factory = factory;
    }

    /** Opens the sink now (idempotent) and returns it. */
    public synchronized TelemetrySink open() {
        if (sink == null) {
            sink = factory.get();
        }
        return sink;
    }

    @Override
    public synchronized void emit(SpecificRecord event) {
        open().emit(event);
    }

    @Override
    public synchronized void flush() {
        if (sink != null) {
            sink.flush();
        }
    }

    @Override
    public synchronized void close() {
        if (sink != null) {
            sink.close();
        }
    }
}
