package io.babelflow.ops.cli;

import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the embedded single-node KRaft broker in the foreground until SIGINT or SIGTERM. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft, broker+controller) on 127.0.0.1 in the foreground.")
public final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", paramLabel = "N",
            description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep logs and metadata here across restarts (default: a temporary folder removed on exit).")
    Path dataDir;

    @Option(names = "--no-topics", negatable = false,
            description = "Do not create the BabelFlow topics on start.")
    boolean noTopics;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port " + port + " is not a TCP port (0-65535)");
        }
        if (dataDir != null && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new InvalidInputException("--data-dir " + dataDir + " exists and is not a folder");
        }
        if (port != 0 && !free(port)) { // before Kafka starts, so its own error lines never print
            throw inUse();
        }
        long t0 = System.nanoTime();
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(port, dataDir);
        } catch (RuntimeException e) {
            if (rootMessage(e).contains("Address already in use")) {
                throw inUse();
            }
            throw e;
        }
        long startedMs = (System.nanoTime() - t0) / 1_000_000;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping broker ...");
            kafka.close();
            stopped.countDown();
        }, "babelflow-broker-shutdown"));
        System.out.printf("Kafka broker ready at %s in %d ms (data dir %s)%n", kafka.bootstrapServers(), startedMs,
                kafka.dataDir());
        if (!noTopics) {
            var result = TopicProvisioner.ensureTopics(ClientConfig.of(kafka.bootstrapServers()), (short) 1);
            System.out.printf("topics: %d created, %d already there%n", result.created().size(),
                    result.existing().size());
        }
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }

    private InvalidInputException inUse() {
        return new InvalidInputException("port " + port + " is in use; stop the other broker or pass --port 0");
    }

    /** Whether the client port can be bound on 127.0.0.1, where the broker listens. */
    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(' ');
        }
        return sb.toString();
    }
}
