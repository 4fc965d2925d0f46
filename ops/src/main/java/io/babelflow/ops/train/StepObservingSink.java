package io.babelflow.ops.train;

import io.babelflow.events.TrainStep;
import io.babelflow.ops.metrics.StepRate;
import io.babelflow.schemas.telemetry.TelemetrySink;
import org.apache.avro.specific.SpecificRecord;

/** Passes every event on and notes each TrainStep's step in a {@link StepRate}, for the trainer's metrics. */
final class StepObservingSink implements TelemetrySink {
    private final TelemetrySink next;
    private final StepRate steps;

    StepObservingSink(TelemetrySink next, StepRate steps) {
        this.next = next;
        this.steps = steps;
    }

    @Override
    public void emit(SpecificRecord event) {
        if (event instanceof TrainStep step) {
            steps.record(step.getStep(), System.nanoTime());
        }
        next.emit(event);
    }

    @Override
    public void flush() {
        next.flush();
    }

    @Override
    public void close() {
        next.close();
    }
}
