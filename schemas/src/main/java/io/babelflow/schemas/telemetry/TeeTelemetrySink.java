package io.babelflow.schemas.telemetry;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Hands every event to several sinks in order, e.g. the run's local telemetry file (always kept, so
 * a run can be replayed or backtested) and Kafka.
 */
public final class TeeTelemetrySink implements TelemetrySink {
    private final List<TelemetrySink> sinks;

    public TeeTelemetrySink(TelemetrySink... sinks) {
        this.sinks = List.of(sinks);
    }

    @Override
    public void emit(SpecificRecord event) {
        for (TelemetrySink sink : sinks) {
            sink.emit(event);
        }
    }

    @Override
    public void flush() {
        sinks.forEach(TelemetrySink::flush);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (TelemetrySink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
