package io.babelflow.ops.bench;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import io.babelflow.events.TrainStep;
import io.babelflow.producers.control.MixtureControl;
import io.babelflow.producers.control.MixtureTarget;
import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Feedback latency: from a TrainStep being handed to the telemetry sink to the trainer's
 * MixtureControl applying the MixtureUpdate that step caused, through the real reweighting app.
 * A synthetic trainer publishes steps at a fixed pace under a schedule policy that sends an update
 * every step, so every step has a latency. The trainer's own wait for its next step boundary (at
 * most one step) comes on top and is not part of this figure.
 */
public final class FeedbackLatencyBenchmark {
    private FeedbackLatencyBenchmark() {
    }

    public record Result(int samples, double p50Millis, double p99Millis, double maxMillis, Map<String, String> settings) {
    }

    public static Result run(ClientConfig client, int steps, double stepsPerSecond, Consumer<String> log)
            throws Exception {
        return run(client, steps, stepsPerSecond, Map.of(), log);
    }

    /** As {@link #run(ClientConfig, int, double, Consumer)} with {@code streamsOverrides} (e.g. commit.interval.ms) on the app. */
    public static Result run(ClientConfig client, int steps, double stepsPerSecond, Map<String, Object> streamsOverrides,
            Consumer<String> log) throws Exception {
        Path state = Files.createTempDirectory("babelflow-bench-feedback");
        String runId = "feedback-bench-" + System.currentTimeMillis();
        Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
        List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> overrides = new java.util.HashMap<>(client.overrides());
        overrides.putAll(streamsOverrides);
        // a group of its own per measurement, so one round's members and offsets never meet the next's
        String appId = "babelflow-feedback-bench-" + runId;
        var props = ReweightingApp.streamsConfig(client.bootstrapServers(), appId, state.toString(), overrides);
        StartAtEnd.commit(client, appId, ReweightingApp.topology(ReweightingConfig.DEFAULTS));
        try (ReweightingApp app = ReweightingApp.start(props, ReweightingConfig.DEFAULTS);
                KafkaTelemetrySink sink = new KafkaTelemetrySink(client, state.resolve("spool"))) {
            while (app.streams().state() != KafkaStreams.State.RUNNING) {
                Thread.sleep(50);
            }
            MixtureTarget target = new MixtureTarget() {
                volatile long version;

                @Override
                public Set<String> languages() {
                    return Set.of("python", "go");
                }

                @Override
                public long version() {
                    return version;
                }

                @Override
                public Optional<String> apply(long v, Map<String, Double> weights) {
                    version = v;
                    return Optional.empty();
                }
            };
            try (MixtureControl control = new MixtureControl(client, runId, target, update -> {
                Long published = publishedAt.get(update.getBasedOnStep());
                if (published != null) {
                    latencies.add((System.nanoTime() - published) / 1e6);
                }
            })) {
                control.awaitCaughtUp(java.time.Duration.ofSeconds(30));
                sink.emit(steeredRun(runId, "feedback latency benchmark", steps));
                long t0 = System.nanoTime();
                for (long step = 0; step < steps; step++) {
                    pace(t0, step, stepsPerSecond);
                    publishedAt.put(step, System.nanoTime());
                    sink.emit(syntheticStep(runId, step, target.version()));
                    if (step % 100 == 99) {
                        log.accept(String.format("step %d, %d updates applied", step + 1, latencies.size()));
                    }
                }
                long deadline = System.currentTimeMillis() + 10_000;
                while (latencies.size() < steps - 1 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
            }
        }
        // the first updates include the app's first processing of the run; skip the first 5% as warm-up
        List<Double> steady = new ArrayList<>(latencies.subList(latencies.size() / 20, latencies.size()));
        steady.sort(null);
        return new Result(steady.size(), percentile(steady, 0.50), percentile(steady, 0.99),
                steady.isEmpty() ? Double.NaN : steady.get(steady.size() - 1),
                Map.of("steps", String.valueOf(steps), "stepsPerSecond", String.valueOf(stepsPerSecond),
                        "commit.interval.ms", String.valueOf(props.get("commit.interval.ms")),
                        "processing.guarantee", String.valueOf(props.get("processing.guarantee")),
                        "policy", "schedule every=1"));
    }

    /** A run steered by the schedule policy, moving python 1.0 → 0.5 and go 0 → 0.5 by {@code steps}, every step. */
    static RunStarted steeredRun(String runId, String config, long steps) {
        return RunStarted.newBuilder().setRunId(runId).setSequence(0).setStartedAt(Instant.now()).setConfig(config)
                .setLanguages(List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 1.0),
                        new LanguageSpec("go", LanguageRole.NEW, 0.0)))
                .setModel(new ModelShape(4, 128, 4, 512, 128, 256)).setFeedbackPolicy("schedule")
                .setPolicyParams(Map.of("phases", "0:python=1.0,go=0.0;" + steps + ":python=0.5,go=0.5", "every", "1"))
                .build();
    }

    /** A synthetic trainer's step of a steered run (sequence = step + 1, after the RunStarted). */
    static TrainStep syntheticStep(String runId, long step, long mixtureVersion) {
        return TrainStep.newBuilder().setRunId(runId).setStep(step).setSequence(step + 1)
                .setTimestamp(Instant.now()).setTokens(2048).setLearningRate(1e-3).setLoss(2.0)
                .setLanguageLoss(Map.of("python", 2.0)).setLanguageTokens(Map.of("python", 2048L))
                .setMixtureVersion(mixtureVersion).build();
    }

    /** Waits until step {@code step} is due at {@code stepsPerSecond} from {@code t0} (System.nanoTime). */
    static void pace(long t0, long step, double stepsPerSecond) throws InterruptedException {
        long due = t0 + (long) (step * 1e9 / stepsPerSecond);
        while (System.nanoTime() < due) {
            Thread.sleep(1);
        }
    }

    static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
