package io.babelflow.producers.telemetry;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Producer settings for telemetry: the {@link KafkaTelemetrySink}'s, and those of the tools that publish telemetry. */
public final class TelemetryProducerConfig {
    private TelemetryProducerConfig() {
    }

    /**
     * Settings for tools that may wait for the broker (replay, loadgen): the sink's, but a send
     * blocks up to {@code maxBlock} for metadata or buffer space instead of failing after 2 s.
     */
    public static Map<String, Object> of(ClientConfig client, Duration maxBlock) {
        Map<String, Object> config = new HashMap<>(of(client));
        if (!client.overrides().containsKey(ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        }
        return config;
    }

    /** Producer settings: idempotent, every replica acknowledges, retries until the broker is back. */
    public static Map<String, Object> of(ClientConfig client) {
        Map<String, Object> config = new HashMap<>();
        client.properties(PRODUCER_DEFAULTS).forEach((k, v) -> config.put(String.valueOf(k), v)); // the user's file wins
        return Map.copyOf(config);
    }

    private static final Map<String, Object> PRODUCER_DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 20,
            ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.ACTIVATION_MAX_MESSAGE_BYTES,
            // finite, so a batch stuck on a broker-side sequence error (KAFKA-14359) fails and is
            // re-sent by the sink instead of retrying forever; an outage outlasts it through the spool
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
            ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
            ProducerConfig.CLIENT_ID_CONFIG, "babelflow-telemetry");
}
