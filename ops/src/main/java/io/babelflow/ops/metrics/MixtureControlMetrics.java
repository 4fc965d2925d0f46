package io.babelflow.ops.metrics;

import io.babelflow.producers.control.MixtureControl;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The trainer's control consumer beyond whether it is up ({@code babelflow_control_consumer_up}, in
 * {@link TrainerMetrics}): how far behind it is, how often it had to retry, what it applied and refused.
 */
public final class MixtureControlMetrics {
    private MixtureControlMetrics() {
    }

    public static void register(PrometheusRegistry registry, MixtureControl control, String runId) {
        GaugeWithCallback.builder().name("babelflow_mixture_control_lag_records")
                .help("Mixture-control records not yet read (-1 before the topic was first reached)")
                .labelNames("run").callback(cb -> cb.call(control.lag(), runId)).register(registry);
        CounterWithCallback.builder().name("babelflow_mixture_control_failures")
                .help("Failed attempts to read the mixture-control topic, each retried after a backoff")
                .labelNames("run").callback(cb -> cb.call(control.failures(), runId)).register(registry);
        GaugeWithCallback.builder().name("babelflow_mixture_control_backoff_seconds")
                .help("Wait before the control consumer's next attempt after a failed read (0 while it reads)")
                .unit(Unit.SECONDS).labelNames("run").callback(cb -> cb.call(control.backoffMillis() / 1000.0, runId))
                .register(registry);
        CounterWithCallback.builder().name("babelflow_mixture_updates_applied")
                .help("Mixture updates the trainer applied").labelNames("run")
                .callback(cb -> cb.call(control.applied(), runId)).register(registry);
        CounterWithCallback.builder().name("babelflow_mixture_updates_rejected")
                .help("Mixture updates the trainer rejected (invalid weights or version); the weights in force stay")
                .labelNames("run").callback(cb -> cb.call(control.rejected(), runId)).register(registry);
    }
}
