package io.babelflow.ops.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Exposes a Kafka Streams app as {@code babelflow_streams_state}, {@code _lag_records},
 * {@code _process_rate} and {@code _commit_latency_seconds}, labelled {@code app} with the app's
 * short name (specialization, reweighting, observatory: stable whatever its application.id). Read
 * at scrape time ({@link StreamsClientMetrics}), so nothing runs between scrapes. One collector per
 * app; several apps in one process (the demo) each register their own.
 */
public final class StreamsMetricsCollector implements MultiCollector {
    static final String STATE = "babelflow_streams_state";
    static final String LAG = "babelflow_streams_lag_records";
    static final String PROCESS_RATE = "babelflow_streams_process_rate";
    static final String COMMIT_LATENCY = "babelflow_streams_commit_latency_seconds";

    private final String app;
    private final Supplier<KafkaStreams.State> state;
    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    StreamsMetricsCollector(String app, Supplier<KafkaStreams.State> state,
            Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.app = app;
        this.state = state;
        this.metrics = metrics;
    }

    /** The one line a process running a Streams app needs: {@code register(registry, "specialization", streams)}. */
    public static StreamsMetricsCollector register(PrometheusRegistry registry, String app, KafkaStreams streams) {
        StreamsMetricsCollector collector = new StreamsMetricsCollector(app, streams::state, streams::metrics);
        registry.register(collector);
        return collector;
    }

    @Override
    public MetricSnapshots collect() {
        KafkaStreams.State current = state.get();
        GaugeSnapshot.Builder states = GaugeSnapshot.builder().name(STATE)
                .help("1 for the Kafka Streams app's current state (CREATED, RUNNING, REBALANCING, ...), 0 for the others");
        for (KafkaStreams.State s : KafkaStreams.State.values()) {
            states.dataPoint(point(s == current ? 1 : 0, "app", app, "state", s.name()));
        }
        StreamsClientMetrics read = StreamsClientMetrics.from(metrics.get());
        GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name(LAG)
                .help("Records the app's consumers are behind, per input topic (summed over partitions)");
        read.lagRecords().forEach((topic, records) -> lag.dataPoint(point(records, "app", app, "topic", topic)));
        GaugeSnapshot.Builder commit = GaugeSnapshot.builder().name(COMMIT_LATENCY).unit(Unit.SECONDS)
                .help("Mean commit latency of the app's stream threads");
        if (!Double.isNaN(read.commitLatencySeconds())) {
            commit.dataPoint(point(read.commitLatencySeconds(), "app", app));
        }
        GaugeSnapshot processRate = GaugeSnapshot.builder().name(PROCESS_RATE)
                .help("Records processed per second, summed over the app's stream threads")
                .dataPoint(point(read.processRate(), "app", app)).build();
        return new MetricSnapshots(List.of(states.build(), lag.build(), processRate, commit.build()));
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(STATE, LAG, PROCESS_RATE, COMMIT_LATENCY);
    }

    private static GaugeDataPointSnapshot point(double value, String... labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }
}
