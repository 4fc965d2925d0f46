package io.babelflow.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.StatsSource;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.telemetry.FileTelemetrySink;
import io.babelflow.schemas.telemetry.TelemetrySink;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.trainer.corpus.PreparedCorpus;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelOutput;
import io.babelflow.trainer.model.TokenLoss;
import io.babelflow.trainer.probe.ActivationStatsAccumulator;
import io.babelflow.trainer.probe.HeldoutEvaluator;
import io.babelflow.trainer.probe.LogitLens;
import io.babelflow.trainer.probe.ProbePrompt;
import io.babelflow.trainer.probe.ProbePrompts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the byte-level decoder on a prepared corpus and publishes the run's telemetry.
 *
 * <pre>{@code
 * RunResult result = Trainer.run(TrainOptions.builder(corpusDir, runDir)
 *         .config(Path.of("trainer/configs/tiny.yaml"))
 *         .steps(200)                              // optional: override run.steps
 *         .seed(7)                                 // optional: override run.seed
 *         .resume(false)                           // true: continue runDir from its newest checkpoint
 *         .sink(sink)                              // optional: default FileTelemetrySink(runDir/telemetry.avro)
 *         .progress(p -> System.out.println(p.line()))
 *         .build());
 * }</pre>
 *
 * For closed-loop runs construct a {@code Trainer}, give {@link #mixture()} to the control-topic
 * consumer ({@link MixtureSampler#update} is thread-safe; updates apply at the next step) and call
 * {@link #run()}. {@link #requestStop()} (also wired to SIGTERM) ends the run at the next step
 * boundary with a checkpoint, resumable with {@code resume(true)}.
 *
 * <p>The run folder holds {@code config.yaml} (the resolved config), {@code telemetry.avro} and
 * {@code checkpoints/}. Every event carries the runId and a per-run sequence number from 0; a resume
 * keeps the runId and continues the step numbering, and its sequence numbers start above every
 * number an earlier attempt may have used ({@link SequenceReservation}), so (run, rank, sequence)
 * never names two events. Before each checkpoint the sink's {@code flush()} makes every event so far
 * delivered or durable, so a checkpoint never moves past a lost event. The constructor validates everything (config,
 * corpus, languages, weights, checkpoint shape) and throws {@link InvalidInputException} before
 * anything is written.
 */
public final class Trainer {
    public static final String CONFIG_FILE = "config.yaml";
    public static final String TELEMETRY_FILE = "telemetry.avro";
    public static final String CHECKPOINT_DIR = "checkpoints";

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainOptions options;
    private final RunConfig config;
    private final PreparedCorpus corpus;
    private final List<String> languages;
    private final Checkpoints checkpoints;
    private final Path resumeFrom;
    private final CheckpointState resumeState;
    private final String runId;
    private final MixtureSampler sampler;
    private final Map<String, List<ProbePrompt>> prompts;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;

    public Trainer(TrainOptions options) {
        this.options = options;
        Path runDir = options.runDir();
        Path configFile = options.configFile() != null ? options.configFile()
                : options.resume() ? runDir.resolve(CONFIG_FILE) : null;
        if (configFile == null) {
            throw new InvalidInputException("no run config given; pass a config file (see trainer/configs/tiny.yaml)");
        }
        RunConfig loaded = RunConfig.load(configFile);
        if (options.steps() != null) {
            loaded = loaded.withSteps(options.steps());
        }
        if (options.seed() != null) {
            loaded = loaded.withSeed(options.seed());
        }
        this.config = loaded.validate(configFile.toString());
        this.languages = config.languageIds();
        this.checkpoints = new Checkpoints(runDir.resolve(CHECKPOINT_DIR), config.checkpoint().keep());

        this.corpus = PreparedCorpus.open(options.corpusDir());
        int window = config.model().contextLength() + 1;
        for (String id : languages) {
            if (!corpus.languageIds().contains(id)) {
                throw new InvalidInputException("config " + configFile + " names language '" + id
                        + "', which corpus " + options.corpusDir() + " does not have (it has " + corpus.languageIds() + ")");
            }
            if (corpus.train(id).capacity() < window) {
                throw new InvalidInputException("corpus language '" + id + "' has " + corpus.train(id).capacity()
                        + " training bytes, fewer than one window of contextLength + 1 = " + window);
            }
        }
        String promptDir = config.probes().promptDir();
        this.prompts = ProbePrompts.forRun(config.primaryLanguage(), config.languagesWithRole(LanguageRole.NEW),
                promptDir == null ? null : Path.of(promptDir));
        this.sampler = new MixtureSampler(languages, config.mixtureSchedule(), config.run().seed());

        if (options.resume()) {
            this.resumeFrom = checkpoints.latest().orElseThrow(() -> new InvalidInputException("cannot resume "
                    + runDir + ": it has no checkpoint in " + checkpoints.dir()));
            this.resumeState = Checkpoints.readState(resumeFrom);
            checkResumable(resumeState, configFile);
            this.runId = resumeState.runId();
            sampler.restore(resumeState.sampler());
        } else {
            if (holdsRun(runDir)) {
                throw new InvalidInputException("run folder " + runDir + " already holds a run; resume it or choose "
                        + "another folder");
            }
            this.resumeFrom = null;
            this.resumeState = null;
            this.runId = newRunId(config.run().name());
        }
    }

    /** Validates, then trains to {@code run.steps} or until stopped. */
    public static RunResult run(TrainOptions options) {
        return new Trainer(options).run();
    }

    public String runId() {
        return runId;
    }

    /**
     * For a resume: the first sequence number after its checkpoint. Events the earlier attempt
     * numbered from there on belong to steps this run computes again, so a spool must drop them.
     */
    public java.util.OptionalLong checkpointSequence() {
        return resumeState == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(resumeState.nextSequence());
    }

    /** The resolved config (overrides applied). */
    public RunConfig config() {
        return config;
    }

    /** The run's mixture: pass it to whatever receives MixtureUpdate events. */
    public MixtureSampler mixture() {
        return sampler;
    }

    /** Asks the loop to stop at the next step boundary and checkpoint; safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    public RunResult run() {
        Path runDir = options.runDir();
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve(CONFIG_FILE), config.toYaml());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + runDir, e);
        }
        TelemetrySink sink = options.sink() != null ? options.sink() : new FileTelemetrySink(runDir.resolve(TELEMETRY_FILE));
        Thread stopHook = options.stopOnSignal() ? installStopHook() : null;
        // PyTorch's grad mode is per thread and on in a fresh one; a GradientCollector restores what it
        // found, so on any thread but the one that loaded the engine the optimizer's in-place updates of
        // leaf parameters would fail. Training runs with it off outside the collector, on every thread.
        Engine.getInstance(); // loads the native library
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return train(sink);
        } finally {
            JniUtils.setGradMode(gradMode);
            if (options.sink() == null) {
                sink.close();
            } else {
                sink.flush();
            }
            finished.countDown();
            if (stopHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopHook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and waits for us
                }
            }
        }
    }

    private RunResult train(TelemetrySink sink) {
        RunConfig.Training t = config.training();
        RunConfig.Probes probes = config.probes();
        long totalSteps = config.run().steps();
        LearningRateSchedule schedule = LearningRateSchedule.of(t);
        Consumer<Progress> progress = options.progress() != null ? options.progress() : p -> LOG.info("{}", p.line());

        try (LanguageModel model = LanguageModel.create(config.model(), config.run().seed());
                AdamW optimizer = new AdamW(model.parameters(), model.manager(), t.beta1(), t.beta2(), t.epsilon(),
                        t.weightDecay());
                ActivationStatsAccumulator trainStats = new ActivationStatsAccumulator(model.manager(), languages,
                        config.model().layers(), config.model().ffnWidth())) {
            long startStep = 0;
            long windowStart = 0;
            long firstSequence = 0;
            if (resumeFrom != null) {
                Checkpoints.restore(resumeFrom, resumeState, model, optimizer, trainStats);
                startStep = resumeState.nextStep();
                windowStart = resumeState.statsWindowStart();
                firstSequence = resumeState.nextSequence();
            }
            RunTelemetry telemetry = new RunTelemetry(sink, runId,
                    new SequenceReservation(checkpoints.dir().resolve(SequenceReservation.FILE), firstSequence));
            BatchSampler batches = new BatchSampler(corpus, languages, config.model().contextLength(), t.batchSize(), sampler);
            HeldoutEvaluator heldout = new HeldoutEvaluator(corpus, languages, config.model().contextLength(),
                    probes.maxProbeWindows(), probes.evalBatchSize());
            LogitLens lens = new LogitLens(config.primaryLanguage(), prompts, config.model().contextLength());
            LOG.info("run {}: {} parameters, {}, steps {}..{}", runId, model.parameterCount(), config.model().describe(),
                    startStep, totalSteps - 1);
            telemetry.runStarted(startStep, config);

            long lastStep = startStep - 1;
            long meterStart = System.nanoTime();
            long meterTokens = 0;
            try {
                for (long step = startStep; step < totalSteps && !stopRequested; step++) {
                    Mixture mixture = sampler.beginStep(step);
                    double lr = schedule.at(step);
                    StepLosses losses;
                    long tokens;
                    try (NDManager scope = model.manager().newSubManager()) {
                        Batch batch = batches.draw(scope, mixture);
                        ModelOutput out;
                        NDArray nll;
                        NDArray loss;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            out = model.forward(batch.input(), true);
                            nll = TokenLoss.crossEntropy(out.logits(), batch.target());
                            loss = nll.mean();
                            collector.backward(loss);
                        }
                        // outside the collector: nothing below is recorded for autograd
                        if (probes.statsEvery() > 0) {
                            trainStats.add(out.ffnActivations(), batch.languageOneHot(), batch.tokensPerLanguage());
                        }
                        losses = StepLosses.of(loss.getFloat(), nll.sum(new int[] {1}).toFloatArray(), batch, languages);
                        if (!Double.isFinite(losses.loss())) {
                            throw new IllegalStateException("training diverged: loss " + losses.loss() + " at step " + step);
                        }
                        optimizer.step(lr, t.gradClipNorm());
                        tokens = batch.tokens();
                    }
                    telemetry.trainStep(step, tokens, lr, losses, mixture);
                    lastStep = step;
                    meterTokens += tokens;

                    boolean last = step + 1 == totalSteps;
                    if (probes.statsEvery() > 0 && ((step + 1) % probes.statsEvery() == 0 || last) && !trainStats.isEmpty()) {
                        telemetry.activationStats(StatsSource.TRAIN, trainStats.drain(windowStart, step));
                        windowStart = step + 1;
                    }
                    if ((probes.evalEvery() > 0 && (step + 1) % probes.evalEvery() == 0) || last) {
                        evaluate(step, model, heldout, lens, telemetry);
                    }
                    if ((step + 1) % config.logging().every() == 0 || last) {
                        double seconds = (System.nanoTime() - meterStart) / 1e9;
                        progress.accept(new Progress(step, totalSteps, meterTokens / seconds, losses.loss(),
                                losses.languageLoss(), mixture.version(), lr));
                        meterStart = System.nanoTime();
                        meterTokens = 0;
                    }
                    int every = config.checkpoint().every();
                    if (every > 0 && (step + 1) % every == 0 && !last) {
                        telemetry.flush();
                        checkpoints.save(state(step + 1, telemetry.nextSequence(), optimizer, windowStart, trainStats),
                                model, optimizer, trainStats);
                    }
                }
            } catch (RuntimeException e) {
                telemetry.runEnded(lastStep, "failed", e.toString());
                throw e;
            }

            String reason = lastStep + 1 < totalSteps ? "interrupted" : "completed";
            // the checkpoint counts the RunEnded below, so a resume's RunStarted takes the next number
            telemetry.flush();
            Path checkpoint = checkpoints.save(state(lastStep + 1, telemetry.nextSequence() + 1, optimizer, windowStart, trainStats),
                    model, optimizer, trainStats);
            telemetry.runEnded(lastStep, reason, reason.equals("interrupted") ? "stopped at a step boundary; resume from "
                    + checkpoint.getFileName() : null);
            telemetry.releaseSequences();
            LOG.info("run {} {} after step {}; checkpoint {}", runId, reason, lastStep, checkpoint);
            return new RunResult(runId, options.runDir(), startStep, lastStep, reason, checkpoint);
        }
    }

    private void evaluate(long step, LanguageModel model, HeldoutEvaluator heldout, LogitLens lens, RunTelemetry telemetry) {
        if (!heldout.isEmpty()) {
            HeldoutEvaluator.Result result = heldout.evaluate(model, step);
            telemetry.evalResult(step, result.languageLoss(), result.languageTokens());
            telemetry.activationStats(StatsSource.HELDOUT, result.stats());
        }
        if (!lens.isEmpty()) {
            telemetry.workingLanguage(step, lens.read(model));
        }
    }

    private CheckpointState state(long nextStep, long nextSequence, AdamW optimizer, long windowStart,
            ActivationStatsAccumulator trainStats) {
        return new CheckpointState(runId, nextStep, nextSequence, config.model(), languages, optimizer.steps(),
                sampler.state(), windowStart, trainStats.tokens());
    }

    private void checkResumable(CheckpointState state, Path configFile) {
        if (!state.model().equals(config.model())) {
            throw new InvalidInputException("checkpoint " + resumeFrom + " was saved from a model with "
                    + state.model().describe() + ", but config " + configFile + " asks for " + config.model().describe()
                    + "; resume with the run's own config or start a new run");
        }
        if (!state.languages().equals(languages)) {
            throw new InvalidInputException("checkpoint " + resumeFrom + " was saved for languages " + state.languages()
                    + ", but config " + configFile + " lists " + languages);
        }
        if (options.seed() != null && options.seed() != config.run().seed()) {
            throw new InvalidInputException("a resumed run keeps its seed; drop the seed override");
        }
        if (state.nextStep() >= config.run().steps()) {
            throw new InvalidInputException("run " + state.runId() + " already completed " + state.nextStep()
                    + " steps; pass a larger step count to continue it");
        }
    }

    private Thread installStopHook() {
        Thread hook = new Thread(() -> {
            LOG.info("stop signal: checkpointing run {} at the next step boundary", runId);
            requestStop();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "babelflow-trainer-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static boolean holdsRun(Path runDir) {
        return Files.exists(runDir.resolve(CONFIG_FILE)) || Files.exists(runDir.resolve(TELEMETRY_FILE))
                || Files.exists(runDir.resolve(CHECKPOINT_DIR));
    }

    private static String newRunId(String name) {
        String time = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return String.format("%s-%s-%04x", name, time, new SecureRandom().nextInt(0x10000));
    }
}
