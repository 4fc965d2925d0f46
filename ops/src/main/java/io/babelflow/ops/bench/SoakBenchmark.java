package io.babelflow.ops.bench;

import io.babelflow.ops.process.Await;
import io.babelflow.events.StatsSource;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.observatory.ObservatoryApp;
import io.babelflow.streams.observatory.ObservatoryListener;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The soak: for a fixed time, a data-parallel load run of a model shape (7B by default) sends an
 * activation snapshot every step from every rank, while a steered run (a synthetic trainer under a
 * schedule policy that moves the mixture every step) goes on beside it; the specialization,
 * reweighting and observatory apps run in this JVM throughout. Sampled every few seconds: each
 * app's consumer lag, heap and RSS, steps sent and windows out ({@link SoakSamples}). At the end
 * every step, window and mixture version is counted ({@link SoakWatch}): lost and duplicated must
 * be 0. With {@code stepsPerSecond} 0 the load run is paced by the specialization app itself: a
 * step is sent when the window {@code lead} steps back has all its layers out, which is the rate
 * the machine sustains (and bounds that app's lag by construction; the other two are not paced).
 */
public final class SoakBenchmark {
    /** Steps per second of the steered run (its TrainSteps are small; the point is a live feedback loop). */
    static final double STEERED_STEPS_PER_SECOND = 5;
    /** The app's defaults, reading training windows: what the load generator emits. */
    private static final SpecializationConfig SPECIALIZATION = SpecializationConfig.DEFAULTS.withStatsSource(StatsSource.TRAIN);

    private SoakBenchmark() {
    }

    public record Counts(long loadSteps, long loadStepRecordsExpected, long loadStepRecordsSeen, long loadStepsDuplicated,
            long windowsExpected, long windowsSeen, long windowsDuplicated, long windowsIncomplete,
            long steeredSteps, long versionsSeen, long versionsMissing, long versionsDuplicated,
            long observatoryLoadLastStep, long observatorySteeredLastStep) {
        public long lost() {
            return (loadStepRecordsExpected - loadStepRecordsSeen) + (windowsExpected - windowsSeen) + versionsMissing
                    + (observatoryLoadLastStep == loadSteps - 1 ? 0 : 1)
                    + (observatorySteeredLastStep == steeredSteps - 1 ? 0 : 1);
        }

        public long duplicated() {
            return loadStepsDuplicated + windowsDuplicated + versionsDuplicated;
        }
    }

    public record Result(Map<String, String> settings, List<SoakSamples.Sample> samples, Counts counts,
            double seconds, double payloadMegabytesPerSecond, double feedbackP50Millis, double feedbackP99Millis) {
    }

    /**
     * @param client  the cluster (its topics are provisioned with the broker's default replication)
     * @param shape   the load run: layers, neurons, languages, ranks, steps/s (0: paced by the app), statsEvery
     * @param lead    windows the load run may be ahead of the specialization app's output when paced by it
     * @param outDir  where the PNG plots go
     */
    public static Result run(ClientConfig client, Duration duration, LoadShape shape, int lead, Path outDir,
            Map<String, String> settings, Consumer<String> log) throws Exception {
        io.babelflow.ops.kafka.TopicProvisioner.ensureTopics(client, (short) -1);
        long stamp = System.currentTimeMillis();
        String loadRun = "soak-load-" + stamp;
        String steeredRun = "soak-steered-" + stamp;
        LoadShape load = new LoadShape(loadRun, shape.layers(), shape.neurons(), shape.languages(), shape.ranks(),
                shape.stepsPerSecond(), Long.MAX_VALUE / 4, shape.statsEvery(), shape.seed());
        Path state = Files.createTempDirectory("babelflow-bench-soak");
        Map<String, Object> overrides = new HashMap<>(client.overrides());
        overrides.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        Map<String, String> groups = Map.of("specialization", "babelflow-soak-specialization-" + stamp,
                "reweighting", "babelflow-soak-reweighting-" + stamp, "observatory", "babelflow-soak-observatory-" + stamp);
        // the apps follow the soak's runs, not what earlier work left on a shared cluster's topics
        StartAtEnd.commit(client, groups.get("specialization"), SpecializationApp.topology(SPECIALIZATION));
        StartAtEnd.commit(client, groups.get("reweighting"), ReweightingApp.topology(ReweightingConfig.DEFAULTS));
        StartAtEnd.commit(client, groups.get("observatory"), ObservatoryApp.topology(ObservatoryListener.NONE));
        long steeredPlanned = (long) (duration.toSeconds() * STEERED_STEPS_PER_SECOND) + 1;
        try (SpecializationApp specialization = SpecializationApp.start(props(client, groups.get("specialization"),
                state, overrides), SPECIALIZATION,
                new InetSocketAddress("127.0.0.1", 0));
             ReweightingApp reweighting = ReweightingApp.start(ReweightingApp.streamsConfig(client.bootstrapServers(),
                     groups.get("reweighting"), state.resolve("reweighting").toString(), overrides),
                     ReweightingConfig.DEFAULTS);
             Observatory observatory = Observatory.start(props(client, groups.get("observatory"), state, overrides),
                     new InetSocketAddress("127.0.0.1", 0), Duration.ofHours(1))) {
            for (KafkaStreams s : List.of(specialization.streams(), reweighting.streams(), observatory.streams())) {
                Await.until(() -> s.state() == KafkaStreams.State.RUNNING, Duration.ofMinutes(5), "an app RUNNING");
            }
            log.accept("apps running: " + groups.values());
            try (SoakWatch watch = new SoakWatch(client, loadRun, steeredRun, shape.layers());
                 SoakSamples samples = SoakSamples.start(client, groups, Duration.ofSeconds(5), log);
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TelemetryProducerConfig.of(client,
                         Duration.ofSeconds(120)), new ByteArraySerializer(), new ByteArraySerializer());
                 KafkaTelemetrySink sink = new KafkaTelemetrySink(client, state.resolve("spool"))) {
                AtomicBoolean stop = new AtomicBoolean();
                Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
                AtomicLong steered = new AtomicLong();
                Thread steering = new Thread(() -> steer(sink, steeredRun, steeredPlanned, stop, steered, publishedAt),
                        "soak-steered-run");
                steering.start();
                long t0 = System.nanoTime();
                long end = t0 + duration.toNanos();
                long windowBytes = (long) shape.ranks() * shape.layers() * shape.activationPayloadBytes();
                LoadGenerator.Result sent = new LoadGenerator(load).run(producer, line -> { }, step -> {
                    if (System.nanoTime() >= end) {
                        return false;
                    }
                    if (shape.stepsPerSecond() == 0) {
                        Await.until(() -> watch.windowsDone.get() >= step - lead, Duration.ofMinutes(10),
                                "window " + (step - lead) + " out of the specialization app");
                    }
                    samples.stepSent(step + 1, (step + 1) / shape.statsEvery() * windowBytes, watch.windowsDone.get());
                    return true;
                });
                stop.set(true);
                steering.join();
                double seconds = (System.nanoTime() - t0) / 1e9;
                long loadSteps = sent.records() == 0 ? 0 : samples.stepsSent();
                log.accept(String.format("sent %d steps (%d records, %.1f MB, %d failed) in %.1f s; draining", loadSteps,
                        sent.records(), sent.bytes() / 1e6, sent.failed(), seconds));
                long windows = loadSteps / shape.statsEvery();
                boolean drained = within(() -> watch.windowsDone.get() >= windows
                        && watch.versions.size() >= steered.get() - 1
                        && SoakSamples.lastStep(observatory, loadRun) == loadSteps - 1
                        && SoakSamples.lastStep(observatory, steeredRun) == steered.get() - 1, Duration.ofMinutes(5));
                log.accept(drained ? "drained" : "not drained within 5 minutes: the counts below show what is missing");
                Thread.sleep(2000); // anything duplicated late arrives now or never within the soak
                samples.close();
                Counts counts = new Counts(loadSteps, loadSteps * shape.ranks(), watch.steps.size(),
                        SoakWatch.duplicates(watch.steps), windows * shape.layers(), watch.windows.size(),
                        SoakWatch.duplicates(watch.windows), watch.incompleteWindows.get(), steered.get(),
                        watch.versions.size(), missing(watch.versions),
                        SoakWatch.duplicates(watch.versions), SoakSamples.lastStep(observatory, loadRun),
                        SoakSamples.lastStep(observatory, steeredRun));
                List<Double> latencies = new ArrayList<>();
                watch.updateReadAt.forEach((step, at) -> {
                    Long published = publishedAt.get(step);
                    if (published != null) {
                        latencies.add((at - published) / 1e6);
                    }
                });
                latencies.sort(null);
                Map<String, String> all = new java.util.LinkedHashMap<>(settings);
                all.put("apps", "specialization (TRAIN windows), reweighting, observatory in this JVM; "
                        + "exactly_once_v2, commit " + specializationCommit(overrides) + " ms (reweighting "
                        + ReweightingApp.COMMIT_INTERVAL_MS + " ms), one stream thread each");
                all.put("steered run", String.format("%.0f steps/s, schedule policy every=1", STEERED_STEPS_PER_SECOND));
                all.put("pacing", shape.stepsPerSecond() == 0 ? "by the specialization app's output, at most " + lead
                        + " windows ahead" : shape.stepsPerSecond() + " steps/s");
                samples.plots(outDir, log);
                return new Result(all, samples.samples(), counts, seconds, sent.bytes() / seconds / 1e6,
                        FeedbackLatencyBenchmark.percentile(latencies, 0.5),
                        FeedbackLatencyBenchmark.percentile(latencies, 0.99));
            }
        }
    }

    /** The steered run: a RunStarted with a schedule policy moving the mixture every step, then paced TrainSteps. */
    private static void steer(KafkaTelemetrySink sink, String runId, long planned, AtomicBoolean stop, AtomicLong steps,
            Map<Long, Long> publishedAt) {
        sink.emit(FeedbackLatencyBenchmark.steeredRun(runId, "soak: steered run", planned));
        long t0 = System.nanoTime();
        try {
            for (long step = 0; step < planned && !stop.get(); step++) {
                FeedbackLatencyBenchmark.pace(t0, step, STEERED_STEPS_PER_SECOND);
                publishedAt.put(step, System.nanoTime());
                sink.emit(FeedbackLatencyBenchmark.syntheticStep(runId, step, 0));
                steps.set(step + 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Versions between 1 and the highest seen that were not seen. */
    private static long missing(Map<Long, Integer> versions) {
        long missing = 0;
        long highest = versions.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        for (long v = 1; v <= highest; v++) {
            missing += versions.containsKey(v) ? 0 : 1;
        }
        return missing;
    }

    private static Properties props(ClientConfig client, String appId, Path state, Map<String, Object> overrides) {
        return StreamsDefaults.base(client.bootstrapServers(), appId, state.resolve(appId).toString(), overrides);
    }

    private static Object specializationCommit(Map<String, Object> overrides) {
        return StreamsDefaults.base("x", "x", "x", overrides).get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    private static boolean within(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

}
