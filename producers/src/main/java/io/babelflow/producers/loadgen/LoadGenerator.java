package io.babelflow.producers.loadgen;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.producers.telemetry.TelemetryRecords;
import io.babelflow.schemas.PackedFloats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Synthetic trainer traffic of a given {@link LoadShape}, for load tests and for building the
 * streams apps before a trainer publishes. Activations have structure the analysis can find: in
 * every layer a block of neurons fires mostly for one language each, one block fires for the
 * primary language and the first new one (transferring), the rest fire for all at a background rate.
 */
public final class LoadGenerator {
    private final LoadShape shape;
    private final List<String> languages;
    private final long[] sequences;
    private final SplittableRandom random;

    public LoadGenerator(LoadShape shape) {
        this.shape = shape;
        this.languages = shape.languageIds();
        this.sequences = new long[shape.ranks()];
        this.random = new SplittableRandom(shape.seed());
    }

    /** What was sent: records, payload bytes (serialized values), wall time. */
    public record Result(long records, long bytes, long failed, double seconds) {
        public double recordsPerSecond() {
            return records / seconds;
        }

        public double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    /** Sends the whole run through {@code producer}, pacing steps when stepsPerSecond > 0. */
    public Result run(Producer<byte[], byte[]> producer, Consumer<String> progress) throws InterruptedException {
        return run(producer, progress, step -> true);
    }

    /** Asked before each step; may wait (a consumer's back-pressure) or return false to end the run there. */
    @FunctionalInterface
    public interface StepGate {
        boolean beforeStep(long step) throws InterruptedException;
    }

    /** As {@link #run(Producer, Consumer)}, each step first passing {@code gate}; the run ends early when it says so. */
    public Result run(Producer<byte[], byte[]> producer, Consumer<String> progress, StepGate gate)
            throws InterruptedException {
        AtomicLong records = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Consumer<SpecificRecord> send = event -> {
            var record = TelemetryRecords.toRecord(event);
            bytes.addAndGet(record.value().length);
            producer.send(record, (m, e) -> {
                if (e == null) {
                    records.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
        };
        long t0 = System.nanoTime();
        for (int rank = 0; rank < shape.ranks(); rank++) {
            send.accept(runStarted(rank));
        }
        long lastStep = shape.steps() - 1;
        for (long step = 0; step < shape.steps(); step++) {
            if (!gate.beforeStep(step)) {
                lastStep = step - 1;
                break;
            }
            for (int rank = 0; rank < shape.ranks(); rank++) {
                send.accept(trainStep(rank, step));
                if ((step + 1) % shape.statsEvery() == 0) {
                    for (int layer = 0; layer < shape.layers(); layer++) {
                        send.accept(activationStats(rank, step, layer));
                    }
                }
            }
            if (shape.stepsPerSecond() > 0) {
                long due = t0 + (long) ((step + 1) * 1e9 / shape.stepsPerSecond());
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            if ((step + 1) % Math.max(1, shape.steps() / 10) == 0) {
                progress.accept(String.format("step %d/%d, %.1f MB sent", step + 1, shape.steps(), bytes.get() / 1e6));
            }
        }
        for (int rank = 0; rank < shape.ranks(); rank++) {
            send.accept(RunEnded.newBuilder().setRunId(shape.runId()).setRank(rank).setSequence(sequences[rank]++)
                    .setEndedAt(Instant.now()).setLastStep(lastStep).setReason("completed").build());
        }
        producer.flush();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(records.get(), bytes.get(), failed.get(), seconds);
    }

    RunStarted runStarted(int rank) {
        List<LanguageSpec> specs = new ArrayList<>();
        for (int i = 0; i < languages.size(); i++) {
            specs.add(new LanguageSpec(languages.get(i), i == 0 ? LanguageRole.PRIMARY : LanguageRole.NEW,
                    1.0 / languages.size()));
        }
        return RunStarted.newBuilder().setRunId(shape.runId()).setRank(rank).setWorldSize(shape.ranks())
                .setSequence(sequences[rank]++).setStartedAt(Instant.now())
                .setConfig("loadgen: " + shape).setLanguages(specs)
                .setModel(new ModelShape(shape.layers(), 4096, 32, shape.neurons(), 2048, 256)).build();
    }

    TrainStep trainStep(int rank, long step) {
        Map<String, Double> loss = new HashMap<>();
        Map<String, Long> tokens = new HashMap<>();
        double total = 0;
        for (int i = 0; i < languages.size(); i++) {
            double l = 1.0 + (i == 0 ? 1.0 : 3.0) * Math.exp(-step / 500.0) + 0.05 * random.nextDouble();
            loss.put(languages.get(i), l);
            tokens.put(languages.get(i), 2048L);
            total += l;
        }
        return TrainStep.newBuilder().setRunId(shape.runId()).setRank(rank).setWorldSize(shape.ranks()).setStep(step)
                .setSequence(sequences[rank]++).setTimestamp(Instant.now()).setTokens(2048L * languages.size())
                .setLearningRate(3e-4).setLoss(total / languages.size()).setLanguageLoss(loss)
                .setLanguageTokens(tokens).setMixtureVersion(0).build();
    }

    ActivationStats activationStats(int rank, long step, int layer) {
        int n = shape.neurons();
        int k = languages.size();
        long tokensPerLanguage = 2048L * shape.statsEvery();
        float[] counts = new float[k * n];
        float[] sums = new float[k * n];
        int block = Math.max(1, n / 100); // 1% of neurons per language block
        for (int j = 0; j < n; j++) {
            int owner = j / block; // 0..k-1 language-specific, k = transferring (primary + first new)
            for (int i = 0; i < k; i++) {
                double p;
                if (owner < k) {
                    p = owner == i ? 0.9 : 0.02;
                } else if (owner == k) {
                    p = (i == 0 || i == 1) ? 0.85 : 0.02;
                } else {
                    p = 0.3;
                }
                p = Math.min(1, Math.max(0, p + 0.02 * (random.nextDouble() - 0.5)));
                float c = (float) Math.floor(p * tokensPerLanguage);
                counts[i * n + j] = c;
                sums[i * n + j] = c * 0.5f;
            }
        }
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            tokens.add(tokensPerLanguage);
        }
        return ActivationStats.newBuilder().setRunId(shape.runId()).setRank(rank).setWorldSize(shape.ranks())
                .setSequence(sequences[rank]++).setSource(StatsSource.TRAIN)
                .setWindowStart(step + 1 - shape.statsEvery()).setWindowEnd(step).setLayer(layer)
                .setLayers(shape.layers()).setNeurons(n).setLanguages(languages).setTokens(tokens)
                .setActiveCounts(PackedFloats.pack(counts)).setActivationSums(PackedFloats.pack(sums)).build();
    }
}
