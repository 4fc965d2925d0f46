package io.babelflow.ops.cli;

import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Synthetic trainer traffic of a given shape. */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = "Publish synthetic trainer telemetry (TrainStep per rank and step, ActivationStats per rank "
                + "and layer every --stats-every steps) of a given model shape, for load tests and benchmarks. "
                + "A 7B-shaped run: --layers 32 --neurons 11008 --languages 8.")
public final class LoadgenCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--run-id", description = "Run id (default: loadgen-<random>).")
    String runId;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--neurons", defaultValue = "512", description = "FFN neurons per layer (default: ${DEFAULT-VALUE}).")
    int neurons;

    @Option(names = "--languages", defaultValue = "3", description = "Languages, the first primary (default: ${DEFAULT-VALUE}).")
    int languages;

    @Option(names = "--ranks", defaultValue = "1", description = "Data-parallel ranks (default: ${DEFAULT-VALUE}).")
    int ranks;

    @Option(names = "--steps", defaultValue = "100", description = "Steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--steps-per-second", defaultValue = "0",
            description = "Pace; 0 sends as fast as the broker takes it (default: ${DEFAULT-VALUE}).")
    double stepsPerSecond;

    @Option(names = "--stats-every", defaultValue = "10",
            description = "Steps per activation-statistics window (default: ${DEFAULT-VALUE}).")
    int statsEvery;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        LoadShape shape = new LoadShape(runId != null ? runId : "loadgen-" + UUID.randomUUID().toString().substring(0, 8),
                layers, neurons, languages, ranks, stepsPerSecond, steps, statsEvery, seed);
        System.out.printf("run %s: %d layers x %d neurons x %d languages, %d ranks, %d steps, stats every %d "
                        + "(%.2f MB per activation record)%n", shape.runId(), layers, neurons, languages, ranks, steps,
                statsEvery, shape.activationPayloadBytes() / 1e6);
        LoadGenerator.Result r;
        try (var producer = new KafkaProducer<>(TelemetryProducerConfig.of(kafka.clientConfig(),
                java.time.Duration.ofSeconds(60)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            r = new LoadGenerator(shape).run(producer, line -> System.err.println("... " + line));
        }
        System.out.printf("%d records, %.1f MB in %.2f s: %.0f records/s, %.1f MB/s%s%n", r.records(), r.bytes() / 1e6,
                r.seconds(), r.recordsPerSecond(), r.megabytesPerSecond(),
                r.failed() > 0 ? ", " + r.failed() + " FAILED" : "");
        return r.failed() == 0 ? 0 : 1;
    }
}
