package io.babelflow.ops.cli;

import io.babelflow.ops.kafka.KraftNode;
import io.babelflow.ops.kafka.LocalCluster;
import io.babelflow.ops.kafka.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A Kafka cluster of several broker JVMs on this machine, in the foreground until SIGINT or SIGTERM. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Run a Kafka cluster on 127.0.0.1: --nodes broker processes (KRaft, every node a broker and a",
                "controller voter), the BabelFlow topics with replication factor min(nodes, 3) and",
                "min.insync.replicas one less. Writes DIR/node-N.pid and DIR/node-N.log; Ctrl-C / SIGTERM stop",
                "every node cleanly, and the nodes end with this process however it ends."})
public final class ClusterCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
            description = "Broker processes, 1 to 5 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Logs, metadata, pid and log files of the nodes; a second start from it keeps the data.")
    Path dataDir;

    @Option(names = "--base-port", defaultValue = "0", paramLabel = "N",
            description = "Client ports N.., controller ports N+nodes.. (default: the ports of the last start from "
                    + "DIR, else free ones).")
    int basePort;

    @Option(names = "--no-topics", negatable = false, description = "Do not create the BabelFlow topics.")
    boolean noTopics;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        LocalCluster cluster = LocalCluster.start(nodes, dataDir, basePort, Duration.ofSeconds(180));
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            System.out.println("stopping " + nodes + " nodes ...");
            cluster.close();
            stopped.countDown();
        }, "babelflow-cluster-shutdown"));
        System.out.printf("%d-node Kafka cluster ready in %.1f s (KRaft, %d controller voters, data in %s)%n", nodes,
                (System.nanoTime() - t0) / 1e9, nodes, cluster.dataDir());
        for (int id = 1; id <= nodes; id++) {
            System.out.printf("  node %d: 127.0.0.1:%d, controller :%d, pid %d, log %s%n", id, cluster.ports(id).client(),
                    cluster.ports(id).controller(), cluster.node(id).pid(), cluster.node(id).log());
            int node = id;
            cluster.node(id).process().onExit().thenAccept(p -> {
                if (!stopping.get()) {
                    System.out.printf("node %d exited (code %d); the others run on%n", node, p.exitValue());
                }
            });
        }
        if (!noTopics) {
            short rf = (short) KraftNode.replicationFactor(nodes);
            String minIsr = String.valueOf(KraftNode.minInsyncReplicas(nodes));
            var result = TopicProvisioner.ensureTopics(cluster.client(), rf, Map.of("min.insync.replicas", minIsr));
            System.out.printf("topics: %d created, %d already there (replication factor %d, min.insync.replicas %s)%n",
                    result.created().size(), result.existing().size(), rf, minIsr);
        }
        System.out.println("bootstrap servers: " + cluster.bootstrapServers());
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
