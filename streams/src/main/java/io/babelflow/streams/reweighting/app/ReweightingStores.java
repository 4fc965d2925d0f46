package io.babelflow.streams.reweighting.app;

import io.babelflow.streams.JsonSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The app's state: persistent RocksDB key-value stores with changelog topics, all used by the one
 * {@link ReweightingProcessor} of the one sub-topology, so a run's state lives in the task that owns
 * its partition and every write commits in the same exactly-once transaction as the updates it led to.
 */
public final class ReweightingStores {
    /** runId → {@link FeedbackRun} of every steered run (policy, params, languages). */
    public static final String RUNS = "reweighting-runs";
    /** runId → {@link io.babelflow.streams.reweighting.MixtureController#snapshot()}: versions, weights, policy state. */
    public static final String CONTROLLERS = "reweighting-controllers";
    /** runId → {@link StepProgress}: the rank merge's position. */
    public static final String STEP_PROGRESS = "reweighting-step-progress";
    /** runId NUL step → {@link OpenStep}: rank records of steps not merged yet. */
    public static final String OPEN_STEPS = "reweighting-open-steps";

    static final String[] ALL = {RUNS, CONTROLLERS, STEP_PROGRESS, OPEN_STEPS};

    private ReweightingStores() {
    }

    static StoreBuilder<KeyValueStore<String, FeedbackRun>> runs() {
        return store(RUNS, JsonSerde.of(FeedbackRun.class));
    }

    // the controller and the rank merge are rewritten on every step (per rank for open steps): caching
    // collapses those writes to one changelog record per key and commit
    static StoreBuilder<KeyValueStore<String, byte[]>> controllers() {
        return store(CONTROLLERS, Serdes.ByteArray()).withCachingEnabled();
    }

    static StoreBuilder<KeyValueStore<String, StepProgress>> stepProgress() {
        return store(STEP_PROGRESS, JsonSerde.of(StepProgress.class)).withCachingEnabled();
    }

    static StoreBuilder<KeyValueStore<String, OpenStep>> openSteps() {
        return store(OPEN_STEPS, JsonSerde.of(OpenStep.class)).withCachingEnabled();
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }
}
