package io.babelflow.ops.train;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.ops.metrics.StepRate;
import io.babelflow.ops.metrics.TelemetrySinkMetrics;
import io.babelflow.ops.metrics.TrainerMetrics;
import io.babelflow.producers.control.MixtureControl;
import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.reweighting.PolicyFactory;
import io.babelflow.streams.reweighting.RunLanguage;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.schemas.telemetry.FileTelemetrySink;
import io.babelflow.schemas.telemetry.TeeTelemetrySink;
import io.babelflow.trainer.train.RunResult;
import io.babelflow.trainer.train.Trainer;
import io.babelflow.trainer.train.TrainOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * One training run wired to the platform: the run folder's telemetry file always, plus Kafka when
 * bootstrap servers are given — the lossless {@link KafkaTelemetrySink} (spool in RUN_DIR/spool)
 * and {@link MixtureControl} feeding the control topic's MixtureUpdates to the trainer's sampler.
 * Everything is validated by the {@link Trainer} before any file or connection is opened.
 */
public final class TrainingSession {
    public static final String SPOOL_DIR = "spool";
    private static final Duration STEP_RATE_WINDOW = Duration.ofSeconds(30);

    /** What the run did, beyond the trainer's own result. */
    public record Outcome(RunResult result, long telemetrySent, long telemetrySpilled, long telemetryFailed,
            long telemetryLeftInSpool, long mixtureUpdatesApplied, long mixtureUpdatesRejected) {
    }

    private final Trainer trainer;
    private final DeferredTelemetrySink sink;
    private final ClientConfig kafka;
    private final Path runDir;
    private volatile KafkaTelemetrySink kafkaSink;
    private Consumer<MixtureUpdate> onMixtureApplied = update -> { };
    private final boolean stopOnSignal;
    private final CountDownLatch done = new CountDownLatch(1);
    private final StepRate steps = new StepRate(STEP_RATE_WINDOW.toNanos(), System.nanoTime());

    /**
     * @param options the trainer's options (config, corpus, run folder, overrides, progress); the sink is set here
     * @param kafka   bootstrap servers and client properties, or null for a file-only run
     */
    public TrainingSession(TrainOptions.Builder options, ClientConfig kafka) {
        TrainOptions given = options.build();
        Path runDir = given.runDir();
        this.runDir = runDir;
        // SIGTERM is handled here rather than by the trainer alone: the JVM may exit only once the
        // sinks are closed too, so telemetry still in memory reaches Kafka or the spool
        this.stopOnSignal = given.stopOnSignal();
        options.stopOnSignal(false);
        this.kafka = kafka;
        this.sink = new DeferredTelemetrySink(() -> {
            FileTelemetrySink file = new FileTelemetrySink(runDir.resolve(Trainer.TELEMETRY_FILE));
            if (kafka == null) {
                return file;
            }
            kafkaSink = new KafkaTelemetrySink(kafka, runDir.resolve(SPOOL_DIR));
            return new TeeTelemetrySink(file, kafkaSink);
        });
        // validates; throws InvalidInputException
        this.trainer = new Trainer(options.sink(new StepObservingSink(sink, steps)).build());
        checkFeedback(trainer.config());
    }

    /**
     * Builds the run's feedback policy with the reweighting app's own registry, so a policy the app
     * would refuse (its RunStarted dead-lettered, the run never steered) stops the run before it starts.
     */
    private static void checkFeedback(RunConfig config) {
        RunConfig.Feedback feedback = config.feedback();
        if (feedback == null) {
            return;
        }
        List<RunLanguage> languages = config.languages().stream()
                .map(l -> new RunLanguage(l.id(), l.role(), l.weight())).toList();
        try {
            PolicyFactory.controller(feedback.policy().trim(), feedback.params() == null ? Map.of() : feedback.params(),
                    languages);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("feedback section: " + e.getMessage(), e);
        }
    }

    public Trainer trainer() {
        return trainer;
    }

    /** Hears of every MixtureUpdate the trainer took (on the control consumer's thread). */
    public TrainingSession onMixtureApplied(Consumer<MixtureUpdate> listener) {
        this.onMixtureApplied = listener;
        return this;
    }

    /** Trains to the end (or until stopped), then delivers the telemetry it can. */
    public Outcome run(PrometheusRegistry registry, Consumer<String> log) throws InterruptedException {
        Thread hook = stopOnSignal ? new Thread(() -> {
            trainer.requestStop(); // checkpoint at the next step boundary
            try {
                done.await(); // until the sinks are closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "babelflow-train-stop") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            return train(registry, log);
        } finally {
            done.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and has just been released
                }
            }
        }
    }

    private Outcome train(PrometheusRegistry registry, Consumer<String> log) throws InterruptedException {
        if (kafka != null) {
            // a resume computes the steps after its checkpoint again: their spooled events must not go out too
            trainer.checkpointSequence().ifPresent(from ->
                    KafkaTelemetrySink.discardSpooled(runDir.resolve(SPOOL_DIR), trainer.runId(), from));
        }
        sink.open();
        if (kafkaSink != null && registry != null) {
            TelemetrySinkMetrics.register(registry, kafkaSink, trainer.runId());
        }
        MixtureControl control = null;
        if (kafka != null) {
            control = new MixtureControl(kafka, trainer.runId(),
                    new SamplerTarget(trainer.mixture(), trainer.config().languageIds()), onMixtureApplied);
        }
        if (registry != null) {
            TrainerMetrics.register(registry, trainer.runId(), steps, control == null ? null : control::polling);
        }
        if (control != null) {
            if (!control.awaitCaughtUp(Duration.ofSeconds(30))) {
                log.accept("mixture control has not caught up with the control topic after 30 s; training starts "
                        + "on the weights in force and applies updates as they arrive");
            }
        }
        RunResult result;
        try {
            result = trainer.run();
        } finally {
            if (control != null) {
                control.close();
            }
            sink.close();
        }
        KafkaTelemetrySink k = kafkaSink;
        return new Outcome(result, k == null ? 0 : k.sent(), k == null ? 0 : k.spilled(), k == null ? 0 : k.failed(),
                k == null ? 0 : k.spoolRecords(), control == null ? 0 : control.applied(),
                control == null ? 0 : control.rejected());
    }

    public Path runDir() {
        return runDir;
    }
}
