package io.babelflow.ops.kafka;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the registry's topics that do not exist yet; existing ones are left as they are. */
public final class TopicProvisioner {
    private TopicProvisioner() {
    }

    /** Outcome per topic. */
    public record Result(List<String> created, List<String> existing) {
    }

    public static Result ensureTopics(ClientConfig client, short replicationFactor) {
        return ensureTopics(client, replicationFactor, Map.of());
    }

    /**
     * Creates the missing registry topics with {@code replicationFactor} (-1: the broker's
     * default.replication.factor) and {@code configs} (e.g. min.insync.replicas) on top of each
     * topic's own.
     */
    public static Result ensureTopics(ClientConfig client, short replicationFactor, Map<String, String> configs) {
        try (Admin admin = Admin.create(client.properties(Map.of("request.timeout.ms", 15_000,
                "default.api.timeout.ms", 30_000)))) {
            return ensureTopics(admin, Topics.all(), replicationFactor, configs);
        }
    }

    /**
     * Waits until every partition of new topics has a leader: a first write that meets
     * NOT_LEADER_OR_FOLLOWER can leave an idempotent producer retrying a stale sequence (KAFKA-14359).
     */
    private static void awaitLeaders(Admin admin, List<String> topics) throws ExecutionException, InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                var described = admin.describeTopics(topics).allTopicNames().get();
                boolean ready = described.values().stream().allMatch(d -> d.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // created, but the broker's metadata does not show it yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("partitions of " + topics + " have no leader after 30 s");
    }

    public static Result ensureTopics(Admin admin, List<Topic<?, ?>> topics, short replicationFactor) {
        return ensureTopics(admin, topics, replicationFactor, Map.of());
    }

    public static Result ensureTopics(Admin admin, List<Topic<?, ?>> topics, short replicationFactor,
            Map<String, String> configs) {
        try {
            Set<String> present = admin.listTopics().names().get();
            List<String> created = new ArrayList<>();
            List<String> existing = new ArrayList<>();
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> t : topics) {
                if (present.contains(t.name())) {
                    existing.add(t.name());
                } else {
                    Map<String, String> all = new HashMap<>(t.configs());
                    all.putAll(configs);
                    missing.add(new NewTopic(t.name(), Optional.of(t.partitions()),
                            replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty()).configs(all));
                }
            }
            var results = admin.createTopics(missing).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // lost a race with another creator
                        throw e;
                    }
                    existing.add(entry.getKey());
                }
            }
            awaitLeaders(admin, created);
            return new Result(created, existing);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
