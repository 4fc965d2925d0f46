package io.babelflow.ops.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;

/** The trainer process's own view of its run: its pace and whether it still hears the reweighting app. */
public final class TrainerMetrics {
    private TrainerMetrics() {
    }

    /**
     * @param control true while the mixture-control consumer polls; null for a run without Kafka (no series then)
     */
    public static void register(PrometheusRegistry registry, String runId, StepRate steps, BooleanSupplier control) {
        GaugeWithCallback.builder().name("babelflow_trainer_steps_per_second")
                .help("Training steps per second over the last 30 s, as the trainer measures them").labelNames("run")
                .callback(cb -> cb.call(steps.perSecond(System.nanoTime()), runId)).register(registry);
        GaugeWithCallback.builder().name("babelflow_trainer_step")
                .help("Last training step finished (-1 before the first)").labelNames("run")
                .callback(cb -> cb.call(steps.step(), runId)).register(registry);
        if (control != null) {
            GaugeWithCallback.builder().name("babelflow_control_consumer_up")
                    .help("1 while the trainer's mixture-control consumer polls the control topic, 0 once it stopped")
                    .labelNames("run").callback(cb -> cb.call(control.getAsBoolean() ? 1 : 0, runId)).register(registry);
        }
    }
}
