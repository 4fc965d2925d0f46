package io.babelflow.ops.kafka;

import io.babelflow.ops.process.ChildJvm;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster on this machine: {@code nodes} KRaft nodes (broker and controller combined, every
 * node a voter), each its own JVM ({@link ClusterNode} under {@link ChildJvm}) with its data in
 * {@code DIR/node-N} and its output in {@code DIR/node-N.log}, and its pid in {@code DIR/node-N.pid}.
 * The cluster id and ports are kept in {@code DIR/cluster.properties}, so a restart finds its data.
 * Nodes can be SIGKILLed and started again one by one, which is what the fault tests do.
 */
public final class LocalCluster implements AutoCloseable {
    private static final String STATE_FILE = "cluster.properties";
    /** Each node is a broker of a test or a laptop cluster: 1 GB of heap is plenty, three fit anywhere. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError");

    private final Path dir;
    private final String clusterId;
    private final List<KraftNode.Ports> ports;
    private final ChildJvm[] children;

    private LocalCluster(Path dir, String clusterId, List<KraftNode.Ports> ports) {
        this.dir = dir;
        this.clusterId = clusterId;
        this.ports = ports;
        this.children = new ChildJvm[ports.size()];
    }

    /**
     * Starts the cluster and returns once every node is a registered broker.
     *
     * @param basePort 0: the ports of the last start from this data dir, or free ones the first time;
     *                 otherwise client ports basePort.. and controller ports basePort+nodes..
     */
    public static LocalCluster start(int nodes, Path dataDir, int basePort, Duration timeout) {
        if (nodes < 1 || nodes > 5) {
            throw new InvalidInputException("--nodes must be 1 to 5 (every node is a controller voter), got " + nodes);
        }
        if (basePort < 0 || basePort + 2 * nodes - 1 > 65535) {
            throw new InvalidInputException("--base-port " + basePort + " leaves no room for " + 2 * nodes + " ports");
        }
        Path dir = dataDir.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidInputException("--data-dir " + dataDir + " exists and is not a folder");
        }
        try {
            Files.createDirectories(dir);
            LocalCluster cluster = prepare(dir, nodes, basePort);
            for (int id = 1; id <= nodes; id++) {
                cluster.launch(id);
            }
            cluster.awaitBrokers(IntStream.rangeClosed(1, nodes).boxed().toList(), timeout);
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    private static LocalCluster prepare(Path dir, int nodes, int basePort) throws IOException {
        for (int id = 1; id <= nodes; id++) {
            Path pidFile = dir.resolve("node-" + id + ".pid");
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new InvalidInputException("a cluster already runs from " + dir + " (node " + id + ", pid "
                            + pid + "); stop it first");
                }
            }
        }
        Properties state = new Properties();
        Path stateFile = dir.resolve(STATE_FILE);
        if (Files.exists(stateFile)) {
            try (Reader in = Files.newBufferedReader(stateFile)) {
                state.load(in);
            }
            int had = Integer.parseInt(state.getProperty("nodes"));
            if (had != nodes) {
                throw new InvalidInputException(dir + " holds a " + had + "-node cluster; pass --nodes " + had
                        + " or another --data-dir");
            }
        }
        List<KraftNode.Ports> ports = new ArrayList<>();
        int[] free = basePort == 0 && !state.containsKey("node.1.client.port") ? KraftNode.freePorts(2 * nodes) : null;
        for (int id = 1; id <= nodes; id++) {
            int client;
            int controller;
            if (basePort > 0) {
                client = basePort + id - 1;
                controller = basePort + nodes + id - 1;
            } else if (free != null) {
                client = free[id - 1];
                controller = free[nodes + id - 1];
            } else {
                client = Integer.parseInt(state.getProperty("node." + id + ".client.port"));
                controller = Integer.parseInt(state.getProperty("node." + id + ".controller.port"));
            }
            for (int port : new int[] {client, controller}) {
                if (KraftNode.inUse(port)) {
                    throw new InvalidInputException("port " + port + " on 127.0.0.1 is in use; pass another --base-port");
                }
            }
            ports.add(new KraftNode.Ports(client, controller));
        }
        String clusterId = state.getProperty("cluster.id", Uuid.randomUuid().toString());
        state.setProperty("cluster.id", clusterId);
        state.setProperty("nodes", String.valueOf(nodes));
        for (int id = 1; id <= nodes; id++) {
            state.setProperty("node." + id + ".client.port", String.valueOf(ports.get(id - 1).client()));
            state.setProperty("node." + id + ".controller.port", String.valueOf(ports.get(id - 1).controller()));
        }
        try (Writer out = Files.newBufferedWriter(stateFile)) {
            state.store(out, "babelflow cluster: id and ports, reused on the next start from this folder");
        }
        return new LocalCluster(dir, clusterId, List.copyOf(ports));
    }

    /** Starts node {@code id}'s JVM (again, after {@link #kill}) on its ports and data; does not wait. */
    public synchronized void launch(int id) {
        if (children[id - 1] != null && children[id - 1].alive()) {
            throw new IllegalStateException("node " + id + " is running");
        }
        Path nodeDir = dir.resolve("node-" + id);
        Path config = nodeDir.resolve("server.properties");
        try {
            Files.createDirectories(nodeDir);
            try (Writer out = Files.newBufferedWriter(config)) {
                KraftNode.properties(id, ports, nodeDir.resolve("logs")).store(out, "node " + id + " of " + dir);
            }
            ChildJvm child = ChildJvm.start("node " + id, JVM_OPTIONS, ClusterNode.class.getName(),
                    List.of(config.toString(), clusterId), dir.resolve("node-" + id + ".log"));
            children[id - 1] = child;
            Files.writeString(pidFile(id), child.pid() + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + id + ": " + e.getMessage(), e);
        }
    }

    /** Starts node {@code id} again and waits until it is a registered broker. */
    public void restart(int id, Duration timeout) {
        launch(id);
        awaitBrokers(List.of(id), timeout);
    }

    /** SIGKILLs node {@code id}: no controlled shutdown, as when a machine fails. */
    public void kill(int id) {
        children[id - 1].kill();
    }

    /** Waits until the brokers {@code ids} are registered and unfenced; fails with a node's log if it died. */
    public void awaitBrokers(Collection<Integer> ids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // an admin client connects as soon as it exists and logs a warning per refused connection: ports first
            while (!ids.stream().allMatch(id -> KraftNode.listening(ports.get(id - 1).client()))) {
                checkAlive(ids, deadline, timeout);
                Thread.sleep(200);
            }
            try (Admin admin = admin()) {
                while (true) {
                    try {
                        Set<Integer> up = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                                .map(Node::id).collect(Collectors.toSet());
                        if (up.containsAll(ids)) {
                            return;
                        }
                    } catch (ExecutionException | TimeoutException e) {
                        // not answering yet
                    }
                    checkAlive(ids, deadline, timeout);
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cluster", e);
        }
    }

    private void checkAlive(Collection<Integer> ids, long deadline, Duration timeout) {
        for (int id : ids) {
            ChildJvm child = children[id - 1];
            if (!child.alive()) {
                throw new IllegalStateException("node " + id + " exited with code " + child.process().exitValue()
                        + "; the end of " + child.log() + ":" + System.lineSeparator() + child.logTail(15));
            }
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("nodes " + ids + " not up after " + timeout.toSeconds() + " s; see "
                    + dir + "/node-*.log");
        }
    }

    /** Waits until every partition of {@code topics} has all its replicas in sync (a restarted node caught up). */
    public void awaitInSync(Collection<String> topics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                var described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                boolean inSync = described.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.isr().size() == p.replicas().size());
                if (inSync) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replicas of " + topics + " not in sync after " + timeout.toSeconds()
                            + " s");
                }
                Thread.sleep(200);
            }
        }
    }

    private Admin admin() {
        return Admin.create(client().properties(Map.of("request.timeout.ms", 5_000, "default.api.timeout.ms", 10_000)));
    }

    public String bootstrapServers() {
        return ports.stream().map(p -> "127.0.0.1:" + p.client()).collect(Collectors.joining(","));
    }

    public ClientConfig client() {
        return ClientConfig.of(bootstrapServers());
    }

    public int size() {
        return ports.size();
    }

    public ChildJvm node(int id) {
        return children[id - 1];
    }

    public KraftNode.Ports ports(int id) {
        return ports.get(id - 1);
    }

    public Path dataDir() {
        return dir;
    }

    private Path pidFile(int id) {
        return dir.resolve("node-" + id + ".pid");
    }

    /** SIGTERM to every node at once (each shuts down cleanly), SIGKILL to any still up after 60 s. */
    @Override
    public synchronized void close() {
        for (ChildJvm child : children) {
            if (child != null && child.alive()) {
                child.process().destroy();
            }
        }
        for (int id = 1; id <= children.length; id++) {
            if (children[id - 1] != null) {
                children[id - 1].stop(Duration.ofSeconds(60));
            }
            try {
                Files.deleteIfExists(pidFile(id));
            } catch (IOException ignored) {
                // a stale pid file is recognised as stale on the next start
            }
        }
    }
}
