package io.babelflow.ops.metrics;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The few numbers of a Kafka Streams client that say whether an app keeps up, read from
 * {@code KafkaStreams#metrics()} through an allowlist (the client has hundreds of metrics; exporting
 * them all would put a label per partition, task and store into Prometheus).
 *
 * @param lagRecords           records behind per input topic: the main consumers' {@code records-lag},
 *                             summed over partitions (restore and global consumers are not processing lag)
 * @param processRate          records/s: {@code process-rate} summed over stream threads
 * @param commitLatencySeconds mean {@code commit-latency-avg} of the threads that have committed, or NaN
 */
public record StreamsClientMetrics(Map<String, Double> lagRecords, double processRate, double commitLatencySeconds) {
    static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
    static final String THREAD_GROUP = "stream-thread-metrics";
    static final String LAG = "records-lag";
    static final String PROCESS_RATE = "process-rate";
    static final String COMMIT_LATENCY = "commit-latency-avg";

    /** The (group, name) pairs read; everything else is ignored. */
    public static final Set<String> ALLOWLIST = Set.of(FETCH_GROUP + "/" + LAG, THREAD_GROUP + "/" + PROCESS_RATE,
            THREAD_GROUP + "/" + COMMIT_LATENCY);

    public static StreamsClientMetrics from(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Double> lag = new TreeMap<>();
        double processRate = 0;
        double commitSum = 0;
        int committing = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if (!ALLOWLIST.contains(name.group() + "/" + name.name())) {
                continue;
            }
            double value = value(e.getValue());
            if (!Double.isFinite(value)) {
                continue; // NaN until the first fetch or commit: nothing known yet
            }
            switch (name.name()) {
                case LAG -> {
                    String topic = name.tags().get("topic");
                    if (topic != null && name.tags().containsKey("partition") && mainConsumer(name.tags().get("client-id"))) {
                        lag.merge(topic, Math.max(0, value), Double::sum);
                    }
                }
                case PROCESS_RATE -> processRate += value;
                case COMMIT_LATENCY -> {
                    commitSum += value;
                    committing++;
                }
                default -> throw new AssertionError(name);
            }
        }
        return new StreamsClientMetrics(lag, processRate, committing == 0 ? Double.NaN : commitSum / committing / 1000.0);
    }

    /** Stream threads' consumers are {@code <client>-StreamThread-N-consumer}; restore and global ones differ. */
    static boolean mainConsumer(String clientId) {
        return clientId != null && clientId.endsWith("-consumer") && !clientId.endsWith("-restore-consumer")
                && !clientId.endsWith("-global-consumer");
    }

    private static double value(Metric metric) {
        Object v = metric.metricValue();
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
