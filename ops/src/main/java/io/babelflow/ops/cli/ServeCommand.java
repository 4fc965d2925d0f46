package io.babelflow.ops.cli;

import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.StreamsApp;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.observatory.ObservatoryApp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The observatory: the live page, its JSON API and server-sent events, and the run metrics. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Watch every run live: runs the observatory Kafka Streams app and one HTTP server with the",
                "page (loss, mixture, neurons, working language, stages, health), a JSON API under /api,",
                "server-sent events (/api/events) and Prometheus metrics (/metrics). Instances with the same",
                "--application-id share the runs; any instance answers for any run."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Mixin
    StreamsCommand.AppOptions app;

    @Option(names = "--port", defaultValue = "7080",
            description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the page to the network).")
    String host;

    @Option(names = "--retention-minutes", defaultValue = "10",
            description = "How long a finished run's metric series stay in /metrics (default: ${DEFAULT-VALUE}).")
    long retentionMinutes;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port " + port + " is not a TCP port");
        }
        if (retentionMinutes < 0) {
            throw new InvalidInputException("--retention-minutes must not be negative, got " + retentionMinutes);
        }
        ClientConfig client = kafka.clientConfig();
        TopicProvisioner.ensureTopics(client, (short) app.replicationFactor);
        String appId = app.applicationId != null ? app.applicationId : ObservatoryApp.DEFAULT_APPLICATION_ID;
        Observatory observatory = Observatory.start(StreamsDefaults.base(client.bootstrapServers(), appId,
                app.stateDir(appId), app.extra(client, appId)), new InetSocketAddress(host, port),
                Duration.ofMinutes(retentionMinutes));
        System.out.println("page: " + url(observatory, ""));
        System.out.println("metrics: " + url(observatory, "metrics"));
        StreamsApp.runUntilStopped(new StreamsApp() {
            @Override
            public void awaitStop() throws InterruptedException {
                observatory.awaitStop();
            }

            @Override
            public void close() {
                observatory.close();
            }
        }, "observatory");
        return 0;
    }

    private String url(Observatory o, String path) {
        String shown = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "http://" + shown + ":" + o.port() + "/" + path;
    }
}
