package io.babelflow.ops.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One KRaft node on 127.0.0.1, broker and controller combined, in a quorum where every node is a
 * voter: the one home of the broker settings {@link EmbeddedKafka} (one node) and
 * {@link LocalCluster} (several JVMs) share. Replication of internal topics follows the node count:
 * factor min(nodes, 3) and min.insync.replicas one less (at least 1), so a three-node cluster
 * survives one broker down without refusing acks=all writes.
 */
public final class KraftNode {
    /** A node's client (PLAINTEXT) and controller ports. */
    public record Ports(int client, int controller) {
    }

    private KraftNode() {
    }

    public static int replicationFactor(int nodes) {
        return Math.min(nodes, 3);
    }

    public static int minInsyncReplicas(int nodes) {
        return Math.max(1, replicationFactor(nodes) - 1);
    }

    /** Broker properties of node {@code nodeId} (1-based) of the quorum {@code voters} (index = node id - 1). */
    public static Properties properties(int nodeId, List<Ports> voters, Path logDir) {
        Ports own = voters.get(nodeId - 1);
        String rf = String.valueOf(replicationFactor(voters.size()));
        String minIsr = String.valueOf(minInsyncReplicas(voters.size()));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + own.client() + ",CONTROLLER://127.0.0.1:" + own.controller());
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + own.client());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.quorum.voters", IntStream.range(0, voters.size())
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + voters.get(i).controller()).collect(Collectors.joining(",")));
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        // topics come from the Topics registry (and Streams' internal ones from Admin); a typo must not create one
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        return p;
    }

    /**
     * Starts the node, formatting its storage with Kafka's StorageTool first when the log dir is new;
     * every node of a cluster is formatted with the same {@code clusterId}.
     */
    public static KafkaRaftServer start(Properties props, Path dataDir, String clusterId) {
        Path logDir = Path.of(props.getProperty("log.dirs"));
        try {
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(props, dataDir, clusterId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format " + logDir + ": " + e.getMessage(), e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        return server;
    }

    private static void format(Properties props, Path dataDir, String clusterId) throws IOException {
        Path config = dataDir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            props.store(out, "written by BabelFlow for kafka-storage format");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka storage format failed (exit " + rc + "): "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** {@code count} free ports on 127.0.0.1, held open together so the OS cannot hand out one twice. */
    public static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].setReuseAddress(true);
                sockets[i].bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    /** Whether a server accepts connections on {@code port} of 127.0.0.1. */
    public static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether something listens on, or holds, {@code port} of 127.0.0.1. */
    public static boolean inUse(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
