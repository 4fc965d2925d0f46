package io.babelflow.ops.cli;

import io.babelflow.schemas.ClientConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command reaches Kafka; shared by every command that talks to a broker. */
public final class KafkaOptions {
    /** The port {@code babelflow broker} listens on by default. */
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", defaultValue = DEFAULT_BOOTSTRAP,
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, where 'babelflow broker' listens).")
    String bootstrapServers;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*) passed to every client.")
    Path clientConfig;

    public ClientConfig clientConfig() {
        return ClientConfig.load(bootstrapServers, clientConfig);
    }
}
