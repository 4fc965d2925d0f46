package io.babelflow.ops.bench;

import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.telemetry.TelemetrySink;
import io.babelflow.trainer.train.Progress;
import io.babelflow.trainer.train.Trainer;
import io.babelflow.trainer.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trainer steps/s with the Kafka telemetry sink against a no-op sink, same config, runs
 * alternated so drifts of machine load hit both alike. Steps/s is the median over progress
 * intervals after warm-up.
 */
public final class TelemetryOverheadBenchmark {
    private TelemetryOverheadBenchmark() {
    }

    public record Result(double noopStepsPerSecond, double kafkaStepsPerSecond, int rounds, long steps) {
        public double ratio() {
            return kafkaStepsPerSecond / noopStepsPerSecond;
        }
    }

    /** The default small model of the trainer issue, activation statistics every 10 steps, eval off. */
    static String config(String languageA, String languageB, long steps) {
        return """
                run: {name: bench, steps: %d, seed: 1}
                model: {layers: 4, dModel: 128, heads: 4, ffnWidth: 512, contextLength: 128, activation: GELU}
                training: {batchSize: 16, learningRate: 1.0e-3, minLearningRate: 1.0e-4, warmupSteps: 20, decaySteps: %d,
                           weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1.0e-8, gradClipNorm: 1.0}
                languages:
                  - {id: %s, role: PRIMARY, weight: 0.5}
                  - {id: %s, role: NEW, weight: 0.5}
                mixture: {phases: []}
                probes: {statsEvery: 10, evalEvery: 0, evalBatchSize: 16, maxProbeWindows: 1, promptDir: null}
                checkpoint: {every: 0, keep: 1}
                logging: {every: 10}
                feedback: null
                """.formatted(steps, steps, languageA, languageB);
    }

    public static Result run(ClientConfig client, Path corpus, String languageA, String languageB, long steps,
            int rounds, Consumer<String> log) throws IOException {
        Path work = Files.createTempDirectory("babelflow-bench-telemetry");
        Path config = Files.writeString(work.resolve("bench.yaml"), config(languageA, languageB, steps));
        List<Double> noop = new ArrayList<>();
        List<Double> kafka = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            noop.addAll(timed(corpus, config, work.resolve("noop-" + round), steps, TelemetrySink.NOOP));
            log.accept(String.format("round %d no-op sink: %.3f steps/s", round, 1 / median(noop)));
            KafkaTelemetrySink sink = new KafkaTelemetrySink(client, work.resolve("spool-" + round));
            kafka.addAll(timed(corpus, config, work.resolve("kafka-" + round), steps, sink));
            sink.close();
            log.accept(String.format("round %d Kafka sink: %.3f steps/s (%d events acknowledged, %d spilled, %d failed)",
                    round, 1 / median(kafka), sink.sent(), sink.spilled(), sink.failed()));
        }
        return new Result(1 / median(noop), 1 / median(kafka), rounds, steps);
    }

    private static List<Double> timed(Path corpus, Path config, Path runDir, long steps, TelemetrySink sink) {
        List<Double> secondsPerStep = new ArrayList<>();
        Trainer.run(TrainOptions.builder(corpus, runDir).config(config).sink(sink).stopOnSignal(false)
                .progress((Progress p) -> {
                    if (p.step() >= 19 && p.step() < steps - 1) { // the first intervals warm up the JIT and libtorch
                        secondsPerStep.add(16.0 * 128 / p.tokensPerSecond());
                    }
                }).build());
        return secondsPerStep;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
