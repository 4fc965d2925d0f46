package io.babelflow.streams;

import io.babelflow.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.StreamsConfig;

/** StreamsConfig defaults every BabelFlow streams app shares. */
public final class StreamsDefaults {
    /** Headroom over the largest activation record for batch and header overhead. */
    private static final int MAX_REQUEST_BYTES = Topics.ACTIVATION_MAX_MESSAGE_BYTES + 64 * 1024;

    private StreamsDefaults() {
    }

    /**
     * Exactly-once v2, a 100 ms commit interval, bounded RocksDB memory, replication factor 1
     * (the embedded broker; pass {@code replication.factor} in {@code extra} for a real cluster),
     * and room for activation-sized records on internal topics. {@code extra} wins over every
     * default.
     */
    public static Properties base(String bootstrapServers, String applicationId, String stateDir,
            Map<String, ?> extra) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class);
        // repartition and changelog topics carry whole activation matrices
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), MAX_REQUEST_BYTES);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MAX_REQUEST_BYTES);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), MAX_REQUEST_BYTES);
        if (extra != null) {
            props.putAll(extra);
        }
        return props;
    }

    /**
     * How an app closes: a dynamic group member leaves the consumer group, so its tasks move at
     * once; with Streams' default of staying, a restarted instance (a new member id) waited the whole
     * session timeout, 45 s, for its own partitions. A static member ({@code group.instance.id} set)
     * stays, which is what static membership is for.
     */
    public static CloseOptions closeOptions(Properties props, Duration timeout) {
        boolean staticMember = props.stringPropertyNames().stream()
                .anyMatch(k -> k.endsWith(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        return CloseOptions.groupMembershipOperation(staticMember
                ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                : CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(timeout);
    }
}
