package io.babelflow.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StreamsClientMetricsTest {
    private static final String CONSUMER_1 = "app-1b2c-StreamThread-1-consumer";
    private static final String CONSUMER_2 = "app-1b2c-StreamThread-2-consumer";

    private final Map<MetricName, Metric> metrics = new HashMap<>();

    private record Value(MetricName metricName, Object metricValue) implements Metric {
    }

    private void put(String group, String name, Object value, String... tags) {
        Map<String, String> t = new HashMap<>();
        for (int i = 0; i < tags.length; i += 2) {
            t.put(tags[i], tags[i + 1]);
        }
        MetricName metricName = new MetricName(name, group, "", t);
        metrics.put(metricName, new Value(metricName, value));
    }

    private void lag(String clientId, String topic, int partition, double records) {
        put("consumer-fetch-manager-metrics", "records-lag", records, "client-id", clientId, "topic", topic,
                "partition", Integer.toString(partition));
    }

    @Test
    void lagIsSummedOverPartitionsAndThreadsPerTopic() {
        lag(CONSUMER_1, "babelflow.train-steps", 0, 5);
        lag(CONSUMER_2, "babelflow.train-steps", 1, 7);
        lag(CONSUMER_1, "babelflow.eval-results", 0, 0);
        StreamsClientMetrics read = StreamsClientMetrics.from(metrics);
        assertEquals(Map.of("babelflow.train-steps", 12.0, "babelflow.eval-results", 0.0), read.lagRecords());
    }

    @Test
    void restoreAndGlobalConsumersAndUnknownLagAreNotProcessingLag() {
        lag(CONSUMER_1, "babelflow.train-steps", 0, 3);
        lag("app-1b2c-StreamThread-1-restore-consumer", "app-store-changelog", 0, 1000);
        lag("app-1b2c-global-consumer", "babelflow.runs", 0, 50);
        lag(CONSUMER_2, "babelflow.train-steps", 1, Double.NaN); // not fetched yet
        // topic-level aggregate (no partition tag) would double-count
        put("consumer-fetch-manager-metrics", "records-lag", 99.0, "client-id", CONSUMER_1, "topic", "babelflow.train-steps");
        assertEquals(Map.of("babelflow.train-steps", 3.0), StreamsClientMetrics.from(metrics).lagRecords());
    }

    @Test
    void processRateIsSummedOverThreads() {
        put("stream-thread-metrics", "process-rate", 3.5, "thread-id", "t1");
        put("stream-thread-metrics", "process-rate", 1.5, "thread-id", "t2");
        assertEquals(5.0, StreamsClientMetrics.from(metrics).processRate(), 1e-12);
    }

    @Test
    void commitLatencyIsTheThreadsMeanInSecondsIgnoringThreadsThatHaveNotCommitted() {
        put("stream-thread-metrics", "commit-latency-avg", 20.0, "thread-id", "t1");
        put("stream-thread-metrics", "commit-latency-avg", 40.0, "thread-id", "t2");
        put("stream-thread-metrics", "commit-latency-avg", Double.NaN, "thread-id", "t3");
        assertEquals(0.030, StreamsClientMetrics.from(metrics).commitLatencySeconds(), 1e-12);
    }

    @Test
    void nothingKnownYetGivesNoLagZeroRateAndNoLatency() {
        put("stream-thread-metrics", "commit-latency-avg", Double.NaN, "thread-id", "t1");
        StreamsClientMetrics read = StreamsClientMetrics.from(metrics);
        assertTrue(read.lagRecords().isEmpty());
        assertEquals(0.0, read.processRate());
        assertTrue(Double.isNaN(read.commitLatencySeconds()));
    }

    @Test
    void metricsOutsideTheAllowlistAreIgnored() {
        put("stream-task-metrics", "process-rate", 100.0, "thread-id", "t1", "task-id", "0_0");
        put("consumer-fetch-manager-metrics", "records-lag-max", 100.0, "client-id", CONSUMER_1);
        put("stream-thread-metrics", "process-total", 100.0, "thread-id", "t1");
        put("stream-thread-metrics", "process-rate", 2.0, "thread-id", "t1");
        put("stream-thread-metrics", "thread-state", "RUNNING", "thread-id", "t1");
        StreamsClientMetrics read = StreamsClientMetrics.from(metrics);
        assertEquals(2.0, read.processRate());
        assertTrue(read.lagRecords().isEmpty());
    }
}
