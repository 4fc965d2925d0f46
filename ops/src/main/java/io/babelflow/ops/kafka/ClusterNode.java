package io.babelflow.ops.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaRaftServer;

/**
 * Main of one {@link LocalCluster} node's JVM, as {@code kafka-server-start.sh} takes it: the
 * node's broker properties file (written by LocalCluster next to the node's data) and the cluster
 * id its storage is formatted with. Runs until SIGTERM or its parent ends ({@link
 * io.babelflow.ops.process.OrphanGuard}), then shuts the broker down cleanly.
 */
public final class ClusterNode {
    private ClusterNode() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ClusterNode SERVER_PROPERTIES CLUSTER_ID");
            System.exit(2);
        }
        Path config = Path.of(args[0]).toAbsolutePath();
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            props.load(in);
        }
        KafkaRaftServer server = KraftNode.start(props, config.getParent(), args[1]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "cluster-node-shutdown"));
        System.out.println("node " + props.getProperty("node.id") + " started: " + props.getProperty("listeners"));
        server.awaitShutdown();
    }
}
