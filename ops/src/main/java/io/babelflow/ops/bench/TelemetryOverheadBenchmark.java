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

    /** Medians over all measured intervals, and the Kafka/no-op ratio of each round. */
    public record Result(double noopStepsPerSecond, double kafkaStepsPerSecond, List<Double> roundRatios, long steps) {
        /** Mean of the per-round ratios: each round's pair ran back to back, under the same load. */
        public double ratio() {
            return roundRatios.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
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
        List<Double> ratios = new ArrayList<>();
        timed(corpus, config, work.resolve("warmup"), steps, TelemetrySink.NOOP); // JIT and libtorch warm-up
        for (int round = 0; round < rounds; round++) {
            // ABBA order, so a drift in machine speed does not favour one sink
            boolean noopFirst = round % 2 == 0;
            List<Double> n = new ArrayList<>();
            List<Double> k = new ArrayList<>();
            for (int half = 0; half < 2; half++) {
                if ((half == 0) == noopFirst) {
                    n = timed(corpus, config, work.resolve("noop-" + round), steps, TelemetrySink.NOOP);
                } else {
                    KafkaTelemetrySink sink = new KafkaTelemetrySink(client, work.resolve("spool-" + round));
                    k = timed(corpus, config, work.resolve("kafka-" + round), steps, sink);
                    sink.close();
                    log.accept(String.format("round %d Kafka sink: %d events acknowledged, %d spilled, %d failed",
                            round, sink.sent(), sink.spilled(), sink.failed()));
                }
            }
            noop.addAll(n);
            kafka.addAll(k);
            ratios.add(median(n) / median(k));
            log.accept(String.format("round %d (%s first): no-op %.3f steps/s, Kafka %.3f steps/s, ratio %.3f", round,
                    noopFirst ? "no-op" : "Kafka", 1 / median(n), 1 / median(k), median(n) / median(k)));
        }
        return new Result(1 / median(noop), 1 / median(kafka), ratios, steps);
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
