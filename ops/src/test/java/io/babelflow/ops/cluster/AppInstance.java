package io.babelflow.ops.cluster;

import io.babelflow.ops.BabelFlow;
import io.babelflow.ops.kafka.KraftNode;
import io.babelflow.ops.kafka.LocalCluster;
import io.babelflow.ops.process.ChildJvm;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.specialization.app.SpecializationApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * One instance of a BabelFlow Streams app as its own JVM, started by the CLI exactly as a user
 * would ({@code babelflow streams ...}), with its own state dir and query port, and a client.id
 * naming it, so the consumer group shows which instance owns which partition.
 */
final class AppInstance implements AutoCloseable {
    enum App {
        SPECIALIZATION("specialization", SpecializationApp.DEFAULT_APPLICATION_ID),
        REWEIGHTING("reweighting", ReweightingApp.DEFAULT_APPLICATION_ID);

        final String command;
        final String applicationId;

        App(String command, String applicationId) {
            this.command = command;
            this.applicationId = applicationId;
        }
    }

    /**
     * A dead instance's partitions move once its session expires: 10 s rather than Kafka's 45 s, as
     * docs/cluster.md recommends for apps whose results a trainer waits for.
     */
    static final Map<String, String> CLIENT_CONFIG = Map.of("session.timeout.ms", "10000",
            "heartbeat.interval.ms", "2000",
            // six instances starting at once on a loaded 2-core machine: the CLI's topic check
            // (admin listTopics) timed out after its 30 s and one instance exited before it began
            "default.api.timeout.ms", "120000");

    final String name;
    final App app;
    final int httpPort;
    private final ChildJvm jvm;

    private AppInstance(String name, App app, int httpPort, ChildJvm jvm) {
        this.name = name;
        this.app = app;
        this.httpPort = httpPort;
        this.jvm = jvm;
    }

    static AppInstance start(App app, String name, LocalCluster cluster, Path dir) throws Exception {
        Path clientConfig = dir.resolve(name + ".properties");
        StringBuilder props = new StringBuilder("client.id=" + name + "\n");
        CLIENT_CONFIG.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(clientConfig, props);
        int httpPort = KraftNode.freePorts(1)[0];
        List<String> args = new ArrayList<>(List.of("streams", app.command, "--bootstrap-servers",
                cluster.bootstrapServers(), "--client-config", clientConfig.toString(),
                "--state-dir", dir.resolve("state-" + name).toString(), "--replication-factor", "3"));
        if (app == App.SPECIALIZATION) {
            // the load generator and the tiny trainer publish training statistics; the app's default is HELDOUT
            args.addAll(List.of("--http-port", String.valueOf(httpPort), "--stats-source", "TRAIN"));
        }
        ChildJvm jvm = ChildJvm.start(name, List.of("-Xmx512m"), BabelFlow.class.getName(), args,
                dir.resolve(name + ".log"));
        return new AppInstance(name, app, httpPort, jvm);
    }

    boolean alive() {
        return jvm.alive();
    }

    /** SIGKILL: the instance neither commits nor leaves its group. */
    void kill() {
        jvm.kill();
    }

    String logTail() {
        return jvm.logTail(20);
    }

    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(30));
    }

    /** Waits until {@code app}'s group is stable with exactly {@code members} members. */
    static void awaitGroup(Admin admin, App app, int members, Duration timeout, List<AppInstance> instances)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConsumerGroupDescription group = null;
        while (System.nanoTime() < deadline) {
            for (AppInstance i : instances) {
                if (i.app == app && !i.alive() && members > 0 && i.jvm.process().exitValue() != 137) {
                    throw new AssertionError(i.name + " exited: " + i.logTail());
                }
            }
            try {
                group = admin.describeConsumerGroups(List.of(app.applicationId)).all().get(10, TimeUnit.SECONDS)
                        .get(app.applicationId);
                if (group.groupState() == GroupState.STABLE && group.members().size() == members) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // the group coordinator is not there yet (or moving)
            }
            Thread.sleep(250);
        }
        throw new AssertionError(app + " group not stable with " + members + " members: " + group);
    }

    /** The instance whose consumer holds {@code partition} in {@code app}'s group. */
    static Optional<String> owner(Admin admin, App app, TopicPartition partition) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(app.applicationId)).all()
                .get(10, TimeUnit.SECONDS).get(app.applicationId);
        for (MemberDescription m : group.members()) {
            if (m.assignment().topicPartitions().contains(partition)) {
                return Optional.of(m.clientId().substring(0, m.clientId().indexOf("-StreamThread")));
            }
        }
        return Optional.empty();
    }
}
