package io.babelflow.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsMetricsCollectorTest {

    private record Value(MetricName metricName, Object metricValue) implements Metric {
    }

    private static Map<MetricName, Metric> metric(String group, String name, double value, String... tags) {
        Map<String, String> t = new java.util.HashMap<>();
        for (int i = 0; i < tags.length; i += 2) {
            t.put(tags[i], tags[i + 1]);
        }
        MetricName n = new MetricName(name, group, "", t);
        return Map.of(n, new Value(n, value));
    }

    static String exposition(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void twoAppsInOneProcessAreExposedSideBySide() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        Map<MetricName, Metric> specialization = new java.util.HashMap<>();
        specialization.putAll(metric("consumer-fetch-manager-metrics", "records-lag", 4, "client-id",
                "s-StreamThread-1-consumer", "topic", "babelflow.activation-stats", "partition", "0"));
        specialization.putAll(metric("stream-thread-metrics", "process-rate", 2.5, "thread-id", "t1"));
        specialization.putAll(metric("stream-thread-metrics", "commit-latency-avg", 12.0, "thread-id", "t1"));
        registry.register(new StreamsMetricsCollector("specialization", () -> KafkaStreams.State.RUNNING,
                () -> specialization));
        registry.register(new StreamsMetricsCollector("reweighting", () -> KafkaStreams.State.REBALANCING,
                Map::of));
        String text = exposition(registry);
        for (String line : new String[] {
            "babelflow_streams_state{app=\"specialization\",state=\"RUNNING\"} 1.0",
            "babelflow_streams_state{app=\"specialization\",state=\"REBALANCING\"} 0.0",
            "babelflow_streams_state{app=\"reweighting\",state=\"REBALANCING\"} 1.0",
            "babelflow_streams_state{app=\"reweighting\",state=\"RUNNING\"} 0.0",
            "babelflow_streams_lag_records{app=\"specialization\",topic=\"babelflow.activation-stats\"} 4.0",
            "babelflow_streams_process_rate{app=\"specialization\"} 2.5",
            "babelflow_streams_process_rate{app=\"reweighting\"} 0.0",
            "babelflow_streams_commit_latency_seconds{app=\"specialization\"} 0.012"}) {
            assertTrue(text.contains(line + "\n"), () -> line + " missing from\n" + text);
        }
        assertEquals(1, text.split("# TYPE babelflow_streams_state gauge", -1).length - 1, text);
        assertTrue(!text.contains("babelflow_streams_commit_latency_seconds{app=\"reweighting\""), text);
    }

    /** The allowlisted names are Kafka 4.x's: a created (not started) client already has its thread metrics. */
    @Test
    void aRealClientIsReadThroughTheAllowlist(@TempDir Path stateDir) throws IOException {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "collector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // never contacted: not started
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            assertTrue(streams.metrics().keySet().stream().anyMatch(n -> n.group().equals("stream-thread-metrics")
                    && n.name().equals("process-rate")), "Kafka Streams renamed process-rate");
            assertTrue(streams.metrics().keySet().stream().anyMatch(n -> n.group().equals("stream-thread-metrics")
                    && n.name().equals("commit-latency-avg")), "Kafka Streams renamed commit-latency-avg");
            PrometheusRegistry registry = new PrometheusRegistry();
            StreamsMetricsCollector.register(registry, "collector-test", streams);
            String text = exposition(registry);
            assertTrue(text.contains("babelflow_streams_state{app=\"collector-test\",state=\"CREATED\"} 1.0\n"), text);
            assertTrue(text.contains("babelflow_streams_process_rate{app=\"collector-test\"} 0.0\n"), text);
        }
    }
}
