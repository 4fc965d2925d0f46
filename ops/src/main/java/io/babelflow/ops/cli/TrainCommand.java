package io.babelflow.ops.cli;

import io.babelflow.ops.metrics.MetricsServer;
import io.babelflow.ops.train.RunPlots;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.train.TrainOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains the byte-level model, publishing telemetry to a file and (with --bootstrap-servers) to Kafka. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the byte-level decoder LM on a prepared corpus.",
                "Telemetry goes to RUN_DIR/telemetry.avro; with --bootstrap-servers also to Kafka (lossless: spooled",
                "in RUN_DIR/spool while the broker is away), and MixtureUpdates of the run are applied as they arrive.",
                "SIGINT/SIGTERM stop at the next step with a checkpoint; --resume continues the same run."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Run config (YAML), e.g. trainer/configs/tiny.yaml; "
            + "with --resume the run folder's config.yaml is used when omitted.")
    Path config;

    @Option(names = "--corpus", paramLabel = "DIR", defaultValue = "corpus/code",
            description = "Prepared corpus (default: ${DEFAULT-VALUE}; make one with 'babelflow corpus prepare').")
    Path corpus;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "Run folder (default: runs/<name>-<time>).")
    Path out;

    @Option(names = "--steps", description = "Override run.steps.")
    Long steps;

    @Option(names = "--seed", description = "Override run.seed.")
    Long seed;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
    boolean resume;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Publish telemetry to Kafka and follow the mixture-control topic.")
    String bootstrapServers;

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties (TLS/SASL).")
    Path clientConfig;

    @Option(names = "--metrics-port", paramLabel = "N",
            description = "Serve Prometheus metrics (steps/s, step, control consumer up, telemetry queue, spool, sent, failed; JVM) on 127.0.0.1:N.")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        if (resume && out == null) {
            throw new InvalidInputException("--resume needs --out RUN_DIR, the run to continue");
        }
        if (!resume && config == null) {
            throw new InvalidInputException("--config FILE is required (e.g. trainer/configs/tiny.yaml)");
        }
        Path runDir = out != null ? out : Path.of("runs", name(config) + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ClientConfig kafka = bootstrapServers == null ? null : ClientConfig.load(bootstrapServers, clientConfig);
        TrainOptions.Builder options = TrainOptions.builder(corpus, runDir).resume(resume)
                .progress(p -> System.out.println(p.line()));
        if (config != null) {
            options.config(config);
        }
        if (steps != null) {
            options.steps(steps);
        }
        if (seed != null) {
            options.seed(seed);
        }
        TrainingSession session = new TrainingSession(options, kafka);
        System.out.printf("run %s in %s%s%n", session.trainer().runId(), runDir,
                kafka == null ? "" : ", telemetry to Kafka at " + kafka.bootstrapServers());
        PrometheusRegistry registry = metricsPort == null ? null : new PrometheusRegistry();
        try (MetricsServer metrics = metricsPort == null ? null : MetricsServer.start(metricsPort, registry)) {
            if (metrics != null) {
                System.out.printf("metrics on http://127.0.0.1:%d/metrics%n", metrics.port());
            }
            TrainingSession.Outcome o = session.run(registry, System.err::println);
            System.out.printf("run %s: steps %d-%d, %s; checkpoint %s%n", o.result().runId(), o.result().firstStep(),
                    o.result().lastStep(), o.result().reason(), o.result().checkpoint());
            if (kafka != null) {
                System.out.printf("telemetry: %d events to Kafka, %d through the spool, %d refused, %d left in %s; "
                                + "mixture updates: %d applied, %d rejected%n", o.telemetrySent(), o.telemetrySpilled(),
                        o.telemetryFailed(), o.telemetryLeftInSpool(), runDir.resolve(TrainingSession.SPOOL_DIR),
                        o.mixtureUpdatesApplied(), o.mixtureUpdatesRejected());
            }
            System.out.println("plots: " + RunPlots.write(runDir));
        }
        return 0;
    }

    private static String name(Path config) {
        String file = config.getFileName().toString();
        return file.endsWith(".yaml") ? file.substring(0, file.length() - 5) : file;
    }
}
