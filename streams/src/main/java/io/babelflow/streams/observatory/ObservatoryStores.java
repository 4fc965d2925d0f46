package io.babelflow.streams.observatory;

import io.babelflow.streams.JsonSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The observatory's state stores: RocksDB key-value stores with changelogs. All but
 * {@link #DEAD_LETTERS} are keyed by composite keys starting with the runId ({@link ObservatoryKeys})
 * and live in the one sub-topology partitioned by runId. All are queryable.
 */
public final class ObservatoryStores {
    /** runId → {@link RunView}. */
    public static final String RUNS = "observatory-runs";
    /** (run, series) → {@link SeriesMeta}: bucket width and extent of one series. */
    public static final String SERIES = "observatory-series";
    /** (run, series, bucket start) → {@link Bucket} bytes. */
    public static final String BUCKETS = "observatory-buckets";
    /** (run, kind, sequence) → {@link TimelineEvent}: mixture updates and stage changes, the newest kept. */
    public static final String EVENTS = "observatory-events";
    /** (run, layer) → {@link LayerWindow}: a layer's newest window of neuron sets, as counts and overlaps. */
    public static final String LAYERS = "observatory-layers";
    /** "reason\0topic" → dead letters counted. Its own sub-topology: the dead-letter topic has one partition. */
    public static final String DEAD_LETTERS = "observatory-dead-letters";

    private ObservatoryStores() {
    }

    static void addTo(StreamsBuilder builder) {
        // a run's view, a series' meta and its newest bucket are rewritten by every step: caching collapses
        // those writes to one per commit interval instead of one changelog record each
        builder.addStateStore(store(RUNS, JsonSerde.of(RunView.class)).withCachingEnabled());
        builder.addStateStore(store(SERIES, JsonSerde.of(SeriesMeta.class)).withCachingEnabled());
        builder.addStateStore(store(BUCKETS, Serdes.ByteArray()).withCachingEnabled());
        builder.addStateStore(store(EVENTS, JsonSerde.of(TimelineEvent.class)));
        builder.addStateStore(store(LAYERS, JsonSerde.of(LayerWindow.class)).withCachingEnabled());
        builder.addStateStore(store(DEAD_LETTERS, Serdes.Long()));
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }
}
