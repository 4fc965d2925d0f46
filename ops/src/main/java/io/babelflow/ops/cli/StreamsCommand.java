package io.babelflow.ops.cli;

import io.babelflow.events.StatsSource;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.metrics.MetricsServer;
import io.babelflow.ops.metrics.StreamsMetricsCollector;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.StreamsApp;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The Kafka Streams apps, each in the foreground until SIGINT / SIGTERM. */
@Command(name = "streams", mixinStandardHelpOptions = true, description = "Run a BabelFlow Kafka Streams app.",
        subcommands = {StreamsCommand.Specialization.class, StreamsCommand.Reweighting.class})
public final class StreamsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --metrics-port}: the Streams apps' Prometheus endpoint ({@code serve} has /metrics on its own port). */
    static final class MetricsOption {
        @Option(names = "--metrics-port", paramLabel = "N",
                description = "Serve Prometheus metrics (the app's state, lag, process rate, commit latency; JVM) "
                        + "on 127.0.0.1:N (0 = any free port).")
        Integer metricsPort;

        /**
         * Binds the metrics port first (a busy port is bad input, reported before the app starts), then
         * starts the app, registers its collector and runs it until SIGINT / SIGTERM.
         */
        <A extends StreamsApp> void run(String name, Supplier<A> start,
                Function<A, KafkaStreams> streams) throws InterruptedException {
            PrometheusRegistry registry = new PrometheusRegistry();
            MetricsServer metrics;
            try {
                metrics = metricsPort == null ? null : MetricsServer.start(metricsPort, registry);
            } catch (UncheckedIOException e) {
                throw new InvalidInputException(e.getMessage(), e);
            }
            try (metrics) {
                A app = start.get();
                if (metrics != null) {
                    StreamsMetricsCollector.register(registry, name, streams.apply(app));
                    System.out.printf("metrics on http://127.0.0.1:%d/metrics%n", metrics.port());
                }
                StreamsApp.runUntilStopped(app, name);
            }
        }

        void checkMetricsPort() {
            if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
                throw new InvalidInputException("--metrics-port " + metricsPort + " is not a TCP port");
            }
        }
    }

    /** Options every Streams app takes. */
    static final class AppOptions {
        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "Local state (RocksDB) folder, kept across restarts (default: state/<application id> in the "
                        + "working directory).")
        Path stateDir;

        @Option(names = "--application-id", paramLabel = "ID",
                description = "Kafka Streams application.id; instances with the same id share the work.")
        String applicationId;

        @Option(names = "--replication-factor", defaultValue = "-1", paramLabel = "N",
                description = "Replication factor of internal topics and of registry topics this app creates "
                        + "(default: the broker's default.replication.factor: 1 on 'babelflow broker', 3 on "
                        + "'babelflow cluster').")
        int replicationFactor;

        Map<String, Object> extra(ClientConfig client) {
            if (replicationFactor < 1 && replicationFactor != -1) {
                throw new InvalidInputException("--replication-factor must be at least 1 (or -1, the broker's default)");
            }
            Map<String, Object> extra = new java.util.HashMap<>(client.overrides());
            extra.put("replication.factor", replicationFactor);
            return extra;
        }

        /**
         * The app's settings for a restart that does not wait: a static group member named after its
         * state dir (only one instance can hold a state dir), so an instance restarted after a crash
         * takes its tasks back at once instead of waiting out the dead member's 45 s session timeout.
         */
        Map<String, Object> extra(ClientConfig client, String appId) {
            Map<String, Object> extra = extra(client);
            extra.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, appId + "-"
                    + Integer.toHexString(Path.of(stateDir(appId)).toAbsolutePath().normalize().toString().hashCode()));
            return extra;
        }

        String stateDir(String appId) {
            return (stateDir != null ? stateDir : Path.of("state", appId)).toString();
        }
    }

    @Command(name = "specialization", mixinStandardHelpOptions = true,
            description = {"Live neuron specialization: LAPE language-specific and language-transferring FFN neurons,",
                    "working language per layer and the Babel Tower stage of each new language.",
                    "Interactive queries: GET /runs/{run}/summary, /runs/{run}/layers/{layer}/neurons,",
                    "/runs/{run}/layers/{layer}/neurons/{neuron}/history, /runs/{run}/stages."})
    static final class Specialization implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Mixin
        AppOptions app;

        @Mixin
        MetricsOption metrics;

        @Option(names = "--http-port", defaultValue = "7071",
                description = "Port of the query server on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
        int httpPort;

        @Option(names = "--top-rate", defaultValue = "0.01",
                description = "LAPE: fraction of lowest-entropy candidate neurons selected (default: ${DEFAULT-VALUE}).")
        double topRate;

        @Option(names = "--filter-rate", defaultValue = "0.95",
                description = "LAPE: percentile of activation probabilities a neuron must exceed (default: ${DEFAULT-VALUE}).")
        double filterRate;

        @Option(names = "--stats-source", defaultValue = "HELDOUT",
                description = "activation statistics LAPE reads: HELDOUT (fixed probe text per language at eval "
                        + "points, LAPE's setting) or TRAIN (each window's training batches); default ${DEFAULT-VALUE}")
        StatsSource statsSource;

        @Option(names = "--grace-seconds", defaultValue = "120",
                description = "Close a window this long after it opened even if ranks are missing (default: ${DEFAULT-VALUE}).")
        long graceSeconds;

        @Override
        public Integer call() throws Exception {
            ClientConfig client = kafka.clientConfig();
            metrics.checkMetricsPort();
            if (httpPort < 0 || httpPort > 65535) {
                throw new InvalidInputException("--http-port " + httpPort + " is not a TCP port");
            }
            SpecializationConfig config;
            try {
                config = SpecializationConfig.DEFAULTS
                        .withLape(new LapeParameters(filterRate, topRate, LapeParameters.DEFAULTS.activationBarRatio()))
                        .withGrace(Duration.ofSeconds(graceSeconds))
                        .withStatsSource(statsSource);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage(), e);
            }
            TopicProvisioner.ensureTopics(client, (short) app.replicationFactor);
            String appId = app.applicationId != null ? app.applicationId : SpecializationApp.DEFAULT_APPLICATION_ID;
            System.out.printf("specialization app %s on %s; queries on http://127.0.0.1:%d/%n", appId,
                    client.bootstrapServers(), httpPort);
            Properties props = StreamsDefaults.base(client.bootstrapServers(), appId, app.stateDir(appId),
                    app.extra(client, appId));
            metrics.run("specialization", () -> SpecializationApp.start(props, config,
                    new InetSocketAddress("127.0.0.1", httpPort)), SpecializationApp::streams);
            return 0;
        }
    }

    @Command(name = "reweighting", mixinStandardHelpOptions = true,
            description = {"Adaptive corpus reweighting: for every run whose RunStarted names a feedback policy",
                    "(static, schedule, exp3, excess-loss, babel-tower), emit MixtureUpdate records to the",
                    "compacted control topic the trainer follows. Versions strictly increase per run."})
    static final class Reweighting implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Mixin
        AppOptions app;

        @Mixin
        MetricsOption metrics;

        @Option(names = "--step-grace-seconds", defaultValue = "30",
                description = "Merge a step after this long even if a data-parallel rank is missing (default: ${DEFAULT-VALUE}).")
        long stepGraceSeconds;

        @Override
        public Integer call() throws Exception {
            ClientConfig client = kafka.clientConfig();
            metrics.checkMetricsPort();
            if (stepGraceSeconds <= 0) {
                throw new InvalidInputException("--step-grace-seconds must be > 0");
            }
            ReweightingConfig config = ReweightingConfig.DEFAULTS.withStepGrace(Duration.ofSeconds(stepGraceSeconds));
            TopicProvisioner.ensureTopics(client, (short) app.replicationFactor);
            String appId = app.applicationId != null ? app.applicationId : ReweightingApp.DEFAULT_APPLICATION_ID;
            System.out.printf("reweighting app %s on %s%n", appId, client.bootstrapServers());
            Properties props = ReweightingApp.streamsConfig(client.bootstrapServers(), appId, app.stateDir(appId),
                    app.extra(client, appId));
            metrics.run("reweighting", () -> ReweightingApp.start(props, config), ReweightingApp::streams);
            return 0;
        }
    }
}
