package io.babelflow.ops.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (combined KRaft broker and controller) in this JVM, bound to
 * 127.0.0.1: the platform's default on one machine. Storage is formatted with Kafka's own
 * StorageTool on first start; given a data dir, the log and metadata survive restarts. Replication
 * factors are 1 and the initial rebalance delay 0 so single-machine use and tests are fast.
 */
public final class EmbeddedKafka implements AutoCloseable {
    public static final int NODE_ID = 1;

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dataDir, boolean deleteOnClose, int port, int controllerPort) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Starts a broker.
     *
     * @param port    client port on 127.0.0.1, or 0 for a free one
     * @param dataDir where logs and metadata live (kept, and reused on the next start), or null for
     *                a temporary folder deleted on close
     */
    public static EmbeddedKafka start(int port, Path dataDir) {
        try {
            boolean temporary = dataDir == null;
            Path dir = temporary ? Files.createTempDirectory("babelflow-kafka-") : dataDir.toAbsolutePath();
            Files.createDirectories(dir);
            int[] free = KraftNode.freePorts(2); // held open together, so the OS cannot hand out the same port twice
            EmbeddedKafka kafka = new EmbeddedKafka(dir, temporary, port == 0 ? free[0] : port,
                    free[1] == port ? free[0] : free[1]);
            kafka.startServer();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker's data dir: " + e.getMessage(), e);
        }
    }

    public static EmbeddedKafka start() {
        return start(0, null);
    }

    private void startServer() {
        Properties props = KraftNode.properties(NODE_ID, List.of(new KraftNode.Ports(port, controllerPort)),
                dataDir.resolve("logs"));
        server = KraftNode.start(props, dataDir, Uuid.randomUuid().toString());
    }

    /** Stops the broker, keeping its data dir (unless temporary), so {@link #restart()} finds the records. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts the broker again on the same ports and data dir. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    public boolean running() {
        return server != null;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        stop();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder that cannot be removed is not worth failing a shutdown for
        }
    }
}
