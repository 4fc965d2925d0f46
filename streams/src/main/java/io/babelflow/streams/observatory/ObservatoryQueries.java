package io.babelflow.streams.observatory;

import io.babelflow.streams.InteractiveQueries;
import io.babelflow.streams.InteractiveQueries.StoreAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries over the observatory's stores. A run's entries all live on the instance that
 * owns its partition: {@link #remoteOwner} names it when it is another one; {@link #otherInstances}
 * lists the rest for the runs list, which merges every instance's local runs.
 */
public final class ObservatoryQueries {
    private static final StringSerializer KEYS = new StringSerializer();

    /** Where runs live: the owner of one (empty when this instance), and every other instance. */
    public interface Locator {
        Optional<HostInfo> remoteOwner(String runId);

        default List<HostInfo> otherInstances() {
            return List.of();
        }
    }

    /** A series as the page draws it: bucket width and buckets in x order. */
    public record Series(String name, long width, List<Bucket> buckets) {
    }

    private final StoreAccess stores;
    private final Locator locator;

    public ObservatoryQueries(StoreAccess stores, Locator locator) {
        this.stores = stores;
        this.locator = locator;
    }

    public static ObservatoryQueries of(KafkaStreams streams, HostInfo self) {
        return new ObservatoryQueries(InteractiveQueries.stores(streams), new Locator() {
            @Override
            public Optional<HostInfo> remoteOwner(String runId) {
                return InteractiveQueries.remoteOwner(streams, self, ObservatoryStores.RUNS, runId);
            }

            @Override
            public List<HostInfo> otherInstances() {
                return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo)
                        .filter(h -> !h.equals(self)).distinct().toList();
            }
        });
    }

    public Optional<HostInfo> remoteOwner(String runId) {
        return locator.remoteOwner(runId);
    }

    public List<HostInfo> otherInstances() {
        return locator.otherInstances();
    }

    /** The runs this instance holds, by runId. */
    public List<RunView> localRuns() {
        List<RunView> out = new ArrayList<>();
        try (KeyValueIterator<String, RunView> it = stores.<RunView>store(ObservatoryStores.RUNS).all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    public Optional<RunView> run(String runId) {
        return Optional.ofNullable(stores.<RunView>store(ObservatoryStores.RUNS).get(runId));
    }

    /** Every series of the run whose name starts with {@code prefix} ("" for all), by name. */
    public List<Series> series(String runId, String prefix) {
        ReadOnlyKeyValueStore<String, SeriesMeta> meta = stores.store(ObservatoryStores.SERIES);
        ReadOnlyKeyValueStore<String, byte[]> buckets = stores.store(ObservatoryStores.BUCKETS);
        List<Series> out = new ArrayList<>();
        try (KeyValueIterator<String, SeriesMeta> it = meta.prefixScan(ObservatoryKeys.series(runId, prefix), KEYS)) {
            while (it.hasNext()) {
                var kv = it.next();
                String name = ObservatoryKeys.seriesName(kv.key);
                List<Bucket> points = new ArrayList<>();
                try (KeyValueIterator<String, byte[]> b =
                             buckets.prefixScan(ObservatoryKeys.bucketPrefix(runId, name), KEYS)) {
                    b.forEachRemaining(p -> points.add(Bucket.fromBytes(p.value)));
                }
                out.add(new Series(name, kv.value.width(), points));
            }
        }
        return out;
    }

    /** Mixture updates and stage changes kept for the run, oldest first. */
    public List<TimelineEvent> events(String runId) {
        List<TimelineEvent> out = new ArrayList<>();
        try (KeyValueIterator<String, TimelineEvent> it = stores.<TimelineEvent>store(ObservatoryStores.EVENTS)
                .prefixScan(ObservatoryKeys.run(runId), KEYS)) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    /** The newest window of each layer, by layer. */
    public Map<Integer, LayerWindow> layers(String runId) {
        Map<Integer, LayerWindow> out = new TreeMap<>();
        try (KeyValueIterator<String, LayerWindow> it = stores.<LayerWindow>store(ObservatoryStores.LAYERS)
                .prefixScan(ObservatoryKeys.run(runId), KEYS)) {
            it.forEachRemaining(kv -> out.put(Integer.parseInt(kv.key.substring(kv.key.indexOf(ObservatoryKeys.SEP) + 1)),
                    kv.value));
        }
        return out;
    }

    /** Dead letters this instance counted: reason → source topic → count. */
    public Map<String, Map<String, Long>> deadLetters() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        try (KeyValueIterator<String, Long> it = stores.<Long>store(ObservatoryStores.DEAD_LETTERS).all()) {
            it.forEachRemaining(kv -> {
                int sep = kv.key.indexOf(ObservatoryKeys.SEP);
                out.computeIfAbsent(kv.key.substring(0, sep), k -> new TreeMap<>()).put(kv.key.substring(sep + 1), kv.value);
            });
        }
        return out;
    }
}
