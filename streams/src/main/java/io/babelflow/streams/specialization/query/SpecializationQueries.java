package io.babelflow.streams.specialization.query;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.streams.InteractiveQueries;
import io.babelflow.streams.InteractiveQueries.StoreAccess;
import io.babelflow.streams.specialization.app.SpecializationStores;
import io.babelflow.streams.specialization.app.StoreKeys;
import io.babelflow.streams.specialization.stage.RunSummary;
import io.babelflow.streams.specialization.stage.StageTimeline;
import io.babelflow.streams.specialization.window.LayerProbabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries over the app's stores. Every store is partitioned by runId, so one run's
 * answers all live on the instance that owns its partition; {@link #remoteOwner} names that
 * instance when it is another one.
 */
public final class SpecializationQueries {
    /** Which instance owns a run: empty when this one does. */
    @FunctionalInterface
    public interface Locator {
        Optional<HostInfo> remoteOwner(String runId);
    }

    /** A layer's language-specific (and transferring) neuron ids in its newest closed window. */
    public record LayerNeurons(String runId, int layer, long windowStart, long windowEnd, boolean complete,
            double probabilityBar, Map<String, List<Integer>> specific, Map<String, List<Integer>> transferring,
            Map<String, Double> jaccardWithPrevious) {
    }

    /** One neuron's per-language activation probability at one window. */
    public record HistoryPoint(long windowEnd, Map<String, Double> probability) {
    }

    private final StoreAccess stores;
    private final Locator locator;

    public SpecializationQueries(StoreAccess stores, Locator locator) {
        this.stores = stores;
        this.locator = locator;
    }

    /** Queries the local stores of a running app; runs owned by another instance are located by metadata. */
    public static SpecializationQueries of(KafkaStreams streams, HostInfo self) {
        return new SpecializationQueries(InteractiveQueries.stores(streams),
                runId -> InteractiveQueries.remoteOwner(streams, self, SpecializationStores.RUN_SUMMARY, runId));
    }

    public Optional<HostInfo> remoteOwner(String runId) {
        return locator.remoteOwner(runId);
    }

    public Optional<RunSummary> summary(String runId) {
        return Optional.ofNullable(stores.<RunSummary>store(SpecializationStores.RUN_SUMMARY).get(runId));
    }

    public Optional<LayerNeurons> layerNeurons(String runId, int layer) {
        NeuronSpecialization s = stores.<NeuronSpecialization>store(SpecializationStores.LAYER_SPECIALIZATION)
                .get(StoreKeys.layer(runId, layer));
        return Optional.ofNullable(s).map(n -> new LayerNeurons(runId, layer, n.getWindowStart(), n.getWindowEnd(),
                n.getComplete(), n.getProbabilityBar(), n.getSpecificNeurons(), n.getTransferringNeurons(),
                n.getJaccardWithPrevious()));
    }

    /** Oldest first; empty when the layer has no kept window. */
    public List<HistoryPoint> neuronHistory(String runId, int layer, int neuron) {
        List<HistoryPoint> points = new ArrayList<>();
        ReadOnlyKeyValueStore<String, LayerProbabilities> history = stores.store(SpecializationStores.NEURON_HISTORY);
        try (KeyValueIterator<String, LayerProbabilities> it =
                     history.prefixScan(StoreKeys.historyPrefix(runId, layer), new StringSerializer())) {
            while (it.hasNext()) {
                LayerProbabilities p = it.next().value;
                if (neuron >= p.neurons()) {
                    throw new IllegalArgumentException("layer " + layer + " has " + p.neurons() + " neurons");
                }
                points.add(new HistoryPoint(p.windowEnd(), p.neuron(neuron)));
            }
        }
        return points;
    }

    public Optional<StageTimeline> stages(String runId) {
        return Optional.ofNullable(stores.<StageTimeline>store(SpecializationStores.STAGE_TIMELINE).get(runId));
    }
}
