package io.babelflow.ops.experiment;

import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.train.TrainingSession;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.trainer.train.Checkpoints;
import io.babelflow.trainer.train.TrainOptions;
import io.babelflow.trainer.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs an experiment's grid through the real loop: one embedded broker (its data kept in
 * OUT/kafka, so a rerun finds the earlier runs' topics), one specialization and one reweighting
 * app shared by every run, two runs at a time. A run whose final checkpoint exists is
 * skipped, one with a checkpoint is resumed, and one that never reached a checkpoint starts again,
 * so rerunning the command continues an interrupted grid.
 */
public final class ExperimentRunner implements AutoCloseable {
    /** LAPE with the lowest-entropy 5 % (not 1 %): a 2 x 256-neuron model has too few neurons for 1 %. */
    static final SpecializationConfig SPECIALIZATION = SpecializationConfig.DEFAULTS
            .withLape(new LapeParameters(0.95, 0.05, 0.95));

    /** Runs trained at once: one per core of the 2-core machine the grids are sized for. */
    static final int PARALLEL = 2;
    private static final String TORCH_THREADS = "ai.djl.pytorch.num_threads";
    private static final String TORCH_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    private final Path corpus;
    private final Consumer<String> out;
    private final EmbeddedKafka broker;
    private final ClientConfig client;
    private final SpecializationApp specialization;
    private final ReweightingApp reweighting;

    public ExperimentRunner(Path outDir, Path corpus, Consumer<String> out) throws InterruptedException {
        limitTorchThreads();
        this.corpus = corpus;
        this.out = out;
        this.broker = EmbeddedKafka.start(0, outDir.resolve("kafka"));
        this.client = ClientConfig.of(broker.bootstrapServers());
        TopicProvisioner.ensureTopics(client, (short) 1);
        Path state = outDir.resolve("state");
        this.specialization = SpecializationApp.start(StreamsDefaults.base(broker.bootstrapServers(),
                "babelflow-experiment-specialization", state.resolve("specialization").toString(), Map.of()),
                SPECIALIZATION, new InetSocketAddress("127.0.0.1", 0));
        this.reweighting = ReweightingApp.start(StreamsDefaults.base(broker.bootstrapServers(),
                "babelflow-experiment-reweighting", state.resolve("reweighting").toString(), Map.of()),
                ReweightingConfig.DEFAULTS);
        awaitRunning(specialization.streams());
        awaitRunning(reweighting.streams());
        out.accept("Kafka at " + broker.bootstrapServers() + " (embedded, data in " + outDir.resolve("kafka")
                + "); specialization and reweighting apps running");
    }

    /** True when the run's final checkpoint exists. */
    public static boolean done(GridRun run) {
        return checkpoints(run).at(run.steps()).isPresent();
    }

    /**
     * Trains {@code runs}, {@link #PARALLEL} at a time (each with one libtorch thread, see
     * {@link #limitTorchThreads}); {@code grid} is the whole grid, for the time-left estimate.
     * Returns true when every one of {@code runs} completed.
     */
    public boolean run(List<GridRun> runs, List<GridRun> grid) throws InterruptedException {
        long total = grid.stream().mapToLong(GridRun::stepsToTrain).sum();
        AtomicLong doneSteps = new AtomicLong(grid.stream().filter(ExperimentRunner::done)
                .mapToLong(GridRun::stepsToTrain).sum());
        // steps trained by this call so far, per run in flight, for the rate behind "time left"
        Map<GridRun, Long> inFlight = new ConcurrentHashMap<>();
        AtomicLong trainedHere = new AtomicLong();
        long started = System.nanoTime();
        List<GridRun> todo = runs.stream().filter(r -> !done(r)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL, todo.size())));
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (GridRun run : todo) {
                results.add(pool.submit(() -> {
                    long before = System.nanoTime();
                    boolean ok = train(run, p -> {
                        inFlight.put(run, p.step() + 1 - run.startStep());
                        long here = trainedHere.get() + inFlight.values().stream().mapToLong(Long::longValue).sum();
                        long doneNow = doneSteps.get() + inFlight.values().stream().mapToLong(Long::longValue).sum();
                        double secondsPerStep = here <= 0 ? Double.NaN : (System.nanoTime() - started) / 1e9 / here;
                        long left = Double.isNaN(secondsPerStep) ? -1 : Math.round((total - doneNow) * secondsPerStep);
                        out.accept(String.format("[%s] %s | grid %d/%d steps, ~%s left", run.label(), p.line(),
                                doneNow, total, left < 0 ? "?" : left / 60 + " min " + left % 60 + " s"));
                    });
                    Long trained = inFlight.remove(run);
                    if (ok) {
                        trainedHere.addAndGet(trained == null ? 0 : trained);
                        doneSteps.addAndGet(run.stepsToTrain());
                        out.accept(String.format("[%s] done in %.0f s", run.label(), (System.nanoTime() - before) / 1e9));
                    }
                    return ok;
                }));
            }
            boolean all = true;
            for (Future<Boolean> f : results) {
                try {
                    all &= f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Trains one run to its end (resuming or forking as its folder says); false when it was stopped. */
    private boolean train(GridRun run, Consumer<io.babelflow.trainer.train.Progress> progress) throws InterruptedException {
        boolean resume = !checkpoints(run).list().isEmpty();
        if (!resume) {
            deleteRecursively(run.dir()); // nothing durable yet: start again
        }
        Path config = Files.exists(run.dir().resolve(Trainer.CONFIG_FILE)) && resume ? null : writeConfig(run);
        TrainOptions.Builder options = TrainOptions.builder(corpus, run.dir()).resume(resume).stopOnSignal(true)
                .progress(progress);
        if (config != null) {
            options.config(config);
        }
        if (run.forkFrom() != null && !resume) {
            options.forkFrom(run.forkFrom(), run.startStep());
        }
        TrainingSession session = new TrainingSession(options, client);
        String runId = session.trainer().runId();
        out.accept(String.format("[%s] %s run %s in %s", run.label(), resume ? "resuming" : "starting", runId, run.dir()));
        TrainingSession.Outcome o = session.run(null, out);
        if (!"completed".equals(o.result().reason())) {
            out.accept("[" + run.label() + "] " + o.result().reason() + "; rerun the command to continue");
            return false;
        }
        return true;
    }

    /**
     * One libtorch thread per run, {@link #PARALLEL} runs at once: a small model's step is too short
     * for intra-op threads to pay, and two runs' thread pools on two cores oversubscribe them. Takes
     * effect when called before the first tensor is made (the engine reads it once); an explicit
     * -Dai.djl.pytorch.num_threads wins.
     */
    public static void limitTorchThreads() {
        if (System.getProperty(TORCH_THREADS) == null) {
            System.setProperty(TORCH_THREADS, "1");
        }
        if (System.getProperty(TORCH_INTEROP_THREADS) == null) {
            System.setProperty(TORCH_INTEROP_THREADS, "1");
        }
    }

    /** Writes each finished run's live files (what the Streams apps said about it) into its folder. */
    public void recordLive(List<GridRun> runs) {
        Map<String, Path> dirs = new java.util.LinkedHashMap<>();
        for (GridRun run : runs) {
            io.babelflow.schemas.telemetry.TelemetryFile.readAll(run.dir().resolve(Trainer.TELEMETRY_FILE)).stream()
                    .filter(e -> e instanceof io.babelflow.events.RunStarted).findFirst()
                    .ifPresent(e -> dirs.put(((io.babelflow.events.RunStarted) e).getRunId(), run.dir()));
        }
        out.accept("recording what the apps said about " + dirs.size() + " runs ...");
        LiveRecorder.record(client, dirs, Duration.ofSeconds(10), Duration.ofMinutes(2));
    }

    private static Path writeConfig(GridRun run) {
        try {
            Path dir = Files.createDirectories(run.dir().getParent().resolve("configs"));
            return Files.writeString(dir.resolve(run.dir().getFileName() + ".yaml"), run.config());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the config of " + run.label(), e);
        }
    }

    private static Checkpoints checkpoints(GridRun run) {
        return new Checkpoints(run.dir().resolve(Trainer.CHECKPOINT_DIR), Integer.MAX_VALUE);
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (streams.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + path, e);
        }
    }

    @Override
    public void close() {
        reweighting.close();
        specialization.close();
        broker.close();
    }
}
