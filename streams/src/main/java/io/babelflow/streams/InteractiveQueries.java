package io.babelflow.streams;

import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What the query layers of the Streams apps share: read access to a local store, and which instance
 * owns a run (every queried store is partitioned by runId).
 */
public final class InteractiveQueries {
    private static final StringSerializer KEYS = new StringSerializer();

    /** Read access to a local key-value store (KafkaStreams#store, or a TopologyTestDriver's). */
    @FunctionalInterface
    public interface StoreAccess {
        <V> ReadOnlyKeyValueStore<String, V> store(String name);
    }

    private InteractiveQueries() {
    }

    /** The running app's local key-value stores. */
    public static StoreAccess stores(KafkaStreams streams) {
        return new StoreAccess() {
            @Override
            public <V> ReadOnlyKeyValueStore<String, V> store(String name) {
                return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
            }
        };
    }

    /**
     * The instance owning {@code runId}'s partition of {@code store}: empty when it is {@code self}.
     * Throws {@link InvalidStateStoreException} while no instance hosts it (e.g. during a rebalance).
     */
    public static Optional<HostInfo> remoteOwner(KafkaStreams streams, HostInfo self, String store, String runId) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(store, runId, KEYS);
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new InvalidStateStoreException("no instance hosts run " + runId + " right now (rebalancing?)");
        }
        return metadata.activeHost().equals(self) ? Optional.empty() : Optional.of(metadata.activeHost());
    }
}
