package io.babelflow.ops.metrics;

import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The Kafka telemetry sink's health: is anything piling up, was anything refused. */
public final class TelemetrySinkMetrics {
    private TelemetrySinkMetrics() {
    }

    public static void register(PrometheusRegistry registry, KafkaTelemetrySink sink, String runId) {
        GaugeWithCallback.builder().name("babelflow_telemetry_queue_events")
                .help("Telemetry events waiting in memory for Kafka").labelNames("run")
                .callback(cb -> cb.call(sink.queueDepth(), runId)).register(registry);
        GaugeWithCallback.builder().name("babelflow_telemetry_spool_events")
                .help("Telemetry events waiting in the local spool while Kafka is away").labelNames("run")
                .callback(cb -> cb.call(sink.spoolRecords(), runId)).register(registry);
        GaugeWithCallback.builder().name("babelflow_telemetry_spool_bytes")
                .help("Bytes of the local spool on disk").labelNames("run")
                .callback(cb -> cb.call(sink.spoolBytes(), runId)).register(registry);
        CounterWithCallback.builder().name("babelflow_telemetry_sent_events")
                .help("Telemetry events Kafka acknowledged").labelNames("run")
                .callback(cb -> cb.call(sink.sent(), runId)).register(registry);
        CounterWithCallback.builder().name("babelflow_telemetry_failed_events")
                .help("Telemetry events Kafka refused for good (kept in the spool's rejected.avro)").labelNames("run")
                .callback(cb -> cb.call(sink.failed(), runId)).register(registry);
        CounterWithCallback.builder().name("babelflow_telemetry_spilled_events")
                .help("Telemetry events that went through the spool").labelNames("run")
                .callback(cb -> cb.call(sink.spilled(), runId)).register(registry);
    }
}
