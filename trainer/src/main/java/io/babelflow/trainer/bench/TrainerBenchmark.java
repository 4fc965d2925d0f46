package io.babelflow.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.telemetry.TelemetrySink;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.trainer.corpus.PreparedCorpus;
import io.babelflow.trainer.model.FfnActivation;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import io.babelflow.trainer.model.ModelOutput;
import io.babelflow.trainer.model.TokenLoss;
import io.babelflow.trainer.probe.ActivationStatsAccumulator;
import io.babelflow.trainer.train.AdamW;
import io.babelflow.trainer.train.Batch;
import io.babelflow.trainer.train.BatchSampler;
import io.babelflow.trainer.train.MixtureSampler;
import io.babelflow.trainer.train.Progress;
import io.babelflow.trainer.train.TrainOptions;
import io.babelflow.trainer.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Measures the trainer on CPU for the default small model (4 layers, d_model 128, 4 heads, FFN 512,
 * context 128, batch 16): steps/s and tokens/s of the real loop with and without TRAIN activation
 * statistics (K = 10), the statistics' own cost per step measured directly, and peak RSS.
 * Telemetry goes to a no-op sink; eval and checkpoints are off during the timed steps.
 *
 * Run it as {@code babelflow bench trainer [--steps N] [--corpus DIR]}; without a corpus it writes a
 * synthetic two-language one (throughput does not depend on the text).
 */
public final class TrainerBenchmark {
    static final ModelConfig MODEL = new ModelConfig(4, 128, 4, 512, 128, FfnActivation.GELU);
    static final int BATCH = 16;
    static final int STATS_EVERY = 10;

    private TrainerBenchmark() {
    }

    /** The figures: steps/s with statistics off and on (K = 10), and the statistics' direct share of a step. */
    public record Result(double stepsPerSecondOff, double stepsPerSecondOn, double statisticsPercent) {
    }

    /** Runs the measurements, printing settings and figures to {@code out}; {@code corpusDir} null = synthetic. */
    public static Result run(int steps, Path corpusDir, Consumer<String> out) throws IOException {
        Path work = Files.createTempDirectory("babelflow-bench");
        try {
            return measure(steps, corpusDir != null ? corpusDir : syntheticCorpus(work.resolve("corpus")), work, out);
        } finally {
            deleteRecursively(work);
        }
    }

    private static Result measure(int steps, Path corpus, Path work, Consumer<String> out) throws IOException {
        List<String> languages = PreparedCorpus.open(corpus).languageIds().subList(0, 2);
        out.accept(String.format("model %s, batch %d, %d steps per run, libtorch threads %s", MODEL.describe(), BATCH,
                steps, System.getProperty("ai.djl.pytorch.num_threads", "default")));

        // the real loop, alternating statistics off and on so machine load drifts affect both alike
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            off.addAll(timedRun(work, corpus, languages, steps, 0, "off-" + round));
            on.addAll(timedRun(work, corpus, languages, steps, STATS_EVERY, "on-" + round));
        }
        double stepOff = median(off);
        double stepOn = median(on);
        long tokensPerStep = (long) BATCH * MODEL.contextLength();
        out.accept(String.format("loop, statistics off: %.2f steps/s, %.0f tokens/s (median of %d intervals)",
                1 / stepOff, tokensPerStep / stepOff, off.size()));
        out.accept(String.format("loop, statistics on (K=%d): %.2f steps/s, %.0f tokens/s; step time ratio on/off %.3f",
                STATS_EVERY, 1 / stepOn, tokensPerStep / stepOn, stepOn / stepOff));

        double[] direct = directStatisticsCost(corpus, languages, 40);
        out.accept(String.format("direct: step %.1f ms, statistics accumulate %.3f ms/step + drain %.3f ms per window of %d "
                + "= %.2f%% of step time", direct[0] * 1e3, direct[1] * 1e3, direct[2] * 1e3, STATS_EVERY,
                100 * (direct[1] + direct[2] / STATS_EVERY) / direct[0]));
        out.accept(String.format("peak RSS %s", peakRss()));
        return new Result(1 / stepOff, 1 / stepOn, 100 * (direct[1] + direct[2] / STATS_EVERY) / direct[0]);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Seconds per step of each progress interval after the first (warm-up). */
    private static List<Double> timedRun(Path work, Path corpus, List<String> languages, int steps, int statsEvery,
            String name) throws IOException {
        RunConfig config = new RunConfig(new RunConfig.Run("bench", steps, 1), MODEL,
                new RunConfig.Training(BATCH, 1e-3, 1e-4, 20, Math.max(steps, 21), 0.1, 0.9, 0.95, 1e-8, 1.0),
                List.of(new RunConfig.Language(languages.get(0), LanguageRole.PRIMARY, 0.5),
                        new RunConfig.Language(languages.get(1), LanguageRole.NEW, 0.5)),
                new RunConfig.Mixture(List.of()), new RunConfig.Probes(statsEvery, 0, 16, 1, null),
                new RunConfig.Checkpoints(0, 1), new RunConfig.Logging(25), null).validate("benchmark");
        Path file = Files.writeString(work.resolve(name + ".yaml"), config.toYaml());
        List<Double> secondsPerStep = new ArrayList<>();
        Trainer.run(TrainOptions.builder(corpus, work.resolve(name)).config(file).sink(TelemetrySink.NOOP)
                .stopOnSignal(false).progress((Progress p) -> {
                    if (p.step() >= 49 && p.step() < steps - 1) {
                        secondsPerStep.add(BATCH * MODEL.contextLength() / p.tokensPerSecond());
                    }
                }).build());
        return secondsPerStep;
    }

    /** {step seconds, accumulate seconds per step, drain seconds per window}, medians over {@code n} steps. */
    private static double[] directStatisticsCost(Path corpusDir, List<String> languages, int n) {
        PreparedCorpus corpus = PreparedCorpus.open(corpusDir);
        MixtureSampler sampler = new MixtureSampler(languages, RunConfig.schedule(languages, Map.of(languages.get(0), 1.0,
                languages.get(1), 1.0), List.of()), 1);
        BatchSampler batches = new BatchSampler(corpus, languages, MODEL.contextLength(), BATCH, sampler);
        double[] step = new double[n];
        double[] accumulate = new double[n];
        double[] drain = new double[n];
        try (LanguageModel model = LanguageModel.create(MODEL, 1);
                AdamW optimizer = new AdamW(model.parameters(), model.manager(), 0.9, 0.95, 1e-8, 0.1);
                ActivationStatsAccumulator stats = new ActivationStatsAccumulator(model.manager(), languages,
                        MODEL.layers(), MODEL.ffnWidth())) {
            for (int i = -10; i < n; i++) {
                try (NDManager scope = model.manager().newSubManager()) {
                    long t0 = System.nanoTime();
                    Batch batch = batches.draw(scope, sampler.beginStep(0));
                    ModelOutput out;
                    NDArray loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        out = model.forward(batch.input(), true);
                        loss = TokenLoss.crossEntropy(out.logits(), batch.target()).mean();
                        collector.backward(loss);
                    }
                    loss.getFloat();
                    optimizer.step(1e-3, 1.0);
                    long t1 = System.nanoTime();
                    stats.add(out.ffnActivations(), batch.languageOneHot(), batch.tokensPerLanguage());
                    stats.totals().get(0).getFloat(0, 0); // wait for the engine, as the next step would
                    long t2 = System.nanoTime();
                    stats.drain(0, 0);
                    long t3 = System.nanoTime();
                    if (i >= 0) {
                        step[i] = (t1 - t0) / 1e9;
                        accumulate[i] = (t2 - t1) / 1e9;
                        drain[i] = (t3 - t2) / 1e9;
                    }
                }
            }
        }
        return new double[] {median(step), median(accumulate), median(drain)};
    }

    /** A prepared two-language corpus of synthetic text in {@code dir} (throughput does not depend on the text). */
    public static Path syntheticCorpus(Path dir) throws IOException {
        String[][] vocab = {
            {"def", "return", "self", "import", "for", "in", "if", "else:", "print(", "):", "None", "x", "y", "=", "\n    "},
            {"func", "return", "err", "nil", "for", "range", "if", "else", "fmt.Println(", ")", "{", "}", ":=", "x", "\n\t"},
        };
        Random random = new Random(1);
        List<PreparedCorpus.LanguageInfo> infos = new ArrayList<>();
        String[] ids = {"python", "go"};
        for (int l = 0; l < 2; l++) {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 256 * 1024) {
                sb.append(vocab[l][random.nextInt(vocab[l].length)]).append(' ');
            }
            byte[] text = sb.toString().getBytes(StandardCharsets.UTF_8);
            Path languageDir = Files.createDirectories(dir.resolve(ids[l]));
            Files.write(languageDir.resolve("train.bin"), text);
            Files.write(languageDir.resolve("heldout.bin"), Arrays.copyOf(text, 8192));
            Files.write(languageDir.resolve("probe.bin"), Arrays.copyOf(text, 129 * 16));
            infos.add(new PreparedCorpus.LanguageInfo(ids[l], l == 0 ? LanguageRole.PRIMARY : LanguageRole.NEW,
                    text.length, 1, 8192, 1, 16, 0, 0, "synthetic"));
        }
        PreparedCorpus.writeSummary(dir, new PreparedCorpus.Summary("synthetic", 1, 129, infos));
        return dir;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
