package io.babelflow.ops.bench;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

/**
 * Gives a benchmark's fresh Streams app a start at the current end of its input topics, so it
 * measures only what the benchmark then sends: on a shared cluster (or in {@code bench all}, where
 * earlier parts leave a real trainer's runs and load-generator windows on the topics) an app with a
 * new application id would otherwise read every earlier record first. The offsets are committed
 * for the app's group before it starts, which, unlike {@code auto.offset.reset=latest}, leaves no
 * race between the app's first fetch and the benchmark's first record.
 */
public final class StartAtEnd {
    private StartAtEnd() {
    }

    /** Commits, for group {@code applicationId}, the read-committed end offset of every registry topic the topology reads. */
    public static void commit(ClientConfig client, String applicationId, Topology topology) {
        Set<String> sources = sources(topology);
        try (Admin admin = Admin.create(client.properties(Map.of()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(sources).allTopicNames().get();
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            topics.values().forEach(t -> t.partitions().forEach(p ->
                    ends.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(ends, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .forEach((p, info) -> offsets.put(p, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(applicationId, offsets).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing start offsets for " + applicationId, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot commit start offsets for " + applicationId + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The registry topics a topology's source nodes read (internal repartition topics are left out). */
    static Set<String> sources(Topology topology) {
        Set<String> registry = new TreeSet<>();
        for (Topic<?, ?> t : Topics.all()) {
            registry.add(t.name());
        }
        Set<String> out = new TreeSet<>();
        for (TopologyDescription.Subtopology s : topology.describe().subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    source.topicSet().stream().filter(registry::contains).forEach(out::add);
                }
            }
        }
        return out;
    }
}
