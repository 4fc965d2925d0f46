package io.babelflow.schemas;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic bound to its key and value serdes, partition count and topic configs (cleanup policy,
 * maximum message size). Every producer, consumer and Streams app takes these from {@link Topics},
 * so a name or a serde is never spelled twice.
 */
public record Topic<K, V>(
        String name,
        Serde<K> keySerde,
        Serde<V> valueSerde,
        Class<V> valueType,
        int partitions,
        Map<String, String> configs,
        String description) {

    public String cleanupPolicy() {
        return configs.getOrDefault("cleanup.policy", "delete");
    }

    public boolean compacted() {
        return cleanupPolicy().contains("compact");
    }

    /** Largest record the topic accepts; producers writing to it set max.request.size to at least this. */
    public int maxMessageBytes() {
        return Integer.parseInt(configs.getOrDefault("max.message.bytes", String.valueOf(Topics.DEFAULT_MAX_MESSAGE_BYTES)));
    }
}
