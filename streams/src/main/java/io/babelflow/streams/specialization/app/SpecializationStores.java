package io.babelflow.streams.specialization.app;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunStarted;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.streams.JsonSerde;
import io.babelflow.streams.specialization.stage.LossHistory;
import io.babelflow.streams.specialization.stage.RunSummary;
import io.babelflow.streams.specialization.stage.ShareProgress;
import io.babelflow.streams.specialization.stage.StageTimeline;
import io.babelflow.streams.specialization.window.BinaryStateSerdes;
import io.babelflow.streams.specialization.window.RunProgress;
import io.babelflow.streams.specialization.window.WindowProgress;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The app's state stores: RocksDB key-value stores with changelogs, keyed by runId or by
 * composite keys starting with it ({@link StoreKeys}). {@link #RANK_PARTIALS} belongs to the
 * sub-topology before the repartition (partitioned by "runId/layer"); all others to the one after
 * it, partitioned by runId.
 */
public final class SpecializationStores {
    /** runId → latest RunStarted. */
    public static final String RUNS = "runs";
    /**
     * (run, window, layer) → ranks of the layer added up before the repartition, not yet forwarded,
     * and where their records are; the rank-merge holds the sums in memory.
     */
    public static final String RANK_PARTIALS = "rank-partials";
    /**
     * (run, window, layer) → the ranks merged so far and where their records are (partition, offset
     * of the activation topic): the window-merge holds the sums in memory and rebuilds them from
     * those records after a restart.
     */
    public static final String WINDOW_SOURCES = "window-sources";
    /** (run, window) → ranks and layers merged so far, first-seen time. */
    public static final String OPEN_WINDOWS = "open-windows";
    /** runId → newest closed window, its neuron sets, history windows kept. */
    public static final String RUN_PROGRESS = "run-progress";
    /** (run, layer, window) → per-neuron per-language probabilities. Queryable. */
    public static final String NEURON_HISTORY = "neuron-history";
    /** (run, layer) → NeuronSpecialization of the newest closed window. Queryable. */
    public static final String LAYER_SPECIALIZATION = "layer-specialization";
    /** runId → working-language shares of the latest eval step. */
    public static final String WORKING_LANGUAGE = "working-language";
    /** runId → last held-out loss points per language. */
    public static final String HELD_OUT_LOSS = "held-out-loss";
    /** runId → RunSummary. Queryable. */
    public static final String RUN_SUMMARY = "run-summary";
    /** runId → StageTimeline. Queryable. */
    public static final String STAGE_TIMELINE = "stage-timeline";

    private SpecializationStores() {
    }

    static void addTo(StreamsBuilder builder) {
        builder.addStateStore(store(RUNS, AvroSerde.of(RunStarted.class)));
        // sources only, no counts (the processors hold the sums and rebuild them from the records after a
        // restart); caching collapses the rewrites of an entry between commits
        builder.addStateStore(store(RANK_PARTIALS, BinaryStateSerdes.LAYER_PIECE_REFS).withCachingEnabled());
        builder.addStateStore(store(WINDOW_SOURCES, BinaryStateSerdes.LAYER_PIECE_REFS).withCachingEnabled());
        builder.addStateStore(store(OPEN_WINDOWS, JsonSerde.of(WindowProgress.class)));
        builder.addStateStore(store(RUN_PROGRESS, JsonSerde.of(RunProgress.class)));
        builder.addStateStore(store(NEURON_HISTORY, BinaryStateSerdes.LAYER_PROBABILITIES));
        builder.addStateStore(store(LAYER_SPECIALIZATION, AvroSerde.of(NeuronSpecialization.class)));
        builder.addStateStore(store(WORKING_LANGUAGE, JsonSerde.of(ShareProgress.class)));
        builder.addStateStore(store(HELD_OUT_LOSS, JsonSerde.of(LossHistory.class)));
        builder.addStateStore(store(RUN_SUMMARY, JsonSerde.of(RunSummary.class)));
        builder.addStateStore(store(STAGE_TIMELINE, JsonSerde.of(StageTimeline.class)));
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }
}
