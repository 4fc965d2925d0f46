package io.babelflow.ops.experiment;

import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.trainer.train.Checkpoints;
import io.babelflow.trainer.train.Trainer;
import io.babelflow.ops.BabelFlow;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** Each run's own output (its child JVM's), in its folder. */
    static final String TRAIN_LOG = "train.log";
    private static final Pattern STEP = Pattern.compile("step (\\d+)/");

    private final List<Process> children = new CopyOnWriteArrayList<>();
    private final Thread stopHook = new Thread(this::stopChildren, "babelflow-experiment-stop");

    private final Path corpus;
    private final Consumer<String> out;
    private final EmbeddedKafka broker;
    private final ClientConfig client;
    private final SpecializationApp specialization;
    private final ReweightingApp reweighting;

    public ExperimentRunner(Path outDir, Path corpus, Consumer<String> out) throws InterruptedException {
        this.corpus = corpus;
        this.out = out;
        this.broker = EmbeddedKafka.start(0, outDir.resolve("kafka"));
        this.client = ClientConfig.of(broker.bootstrapServers());
        TopicProvisioner.ensureTopics(client, (short) 1);
        Path state = outDir.resolve("state");
        this.specialization = SpecializationApp.start(StreamsDefaults.base(broker.bootstrapServers(),
                "babelflow-experiment-specialization", state.resolve("specialization").toString(), Map.of()),
                SPECIALIZATION, new InetSocketAddress("127.0.0.1", 0));
        this.reweighting = ReweightingApp.start(ReweightingApp.streamsConfig(broker.bootstrapServers(),
                "babelflow-experiment-reweighting", state.resolve("reweighting").toString(), Map.of()),
                ReweightingConfig.DEFAULTS);
        awaitRunning(specialization.streams());
        awaitRunning(reweighting.streams());
        // a stop signal reaches the runs too: each checkpoints at its next step boundary, and a rerun resumes it
        Runtime.getRuntime().addShutdownHook(stopHook);
        out.accept("Kafka at " + broker.bootstrapServers() + " (embedded, data in " + outDir.resolve("kafka")
                + "); specialization and reweighting apps running");
    }

    /** True when the run's final checkpoint exists. */
    public static boolean done(GridRun run) {
        return checkpoints(run).at(run.steps()).isPresent();
    }

    /**
     * Trains {@code runs}, {@link #PARALLEL} at a time; {@code grid} is the whole grid, for the time-left estimate.
     * Returns true when every one of {@code runs} completed.
     */
    public boolean run(List<GridRun> runs, List<GridRun> grid) throws InterruptedException {
        long total = grid.stream().mapToLong(GridRun::stepsToTrain).sum();
        AtomicLong doneSteps = new AtomicLong(grid.stream().filter(ExperimentRunner::done)
                .mapToLong(GridRun::stepsToTrain).sum());
        // steps trained by this call so far, per run in flight, for the rate behind "time left"
        Map<GridRun, Long> inFlight = new ConcurrentHashMap<>();
        AtomicLong trainedHere = new AtomicLong();
        // the rate counts from the first step reported (a JVM's start is not a step): {nanos, steps} then
        AtomicReference<long[]> first = new AtomicReference<>();
        List<GridRun> todo = runs.stream().filter(r -> !done(r)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL, todo.size())));
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (GridRun run : todo) {
                results.add(pool.submit(() -> {
                    long before = System.nanoTime();
                    boolean ok = train(run, line -> {
                        Matcher m = STEP.matcher(line);
                        if (!m.lookingAt()) {
                            return;
                        }
                        inFlight.put(run, Long.parseLong(m.group(1)) + 1 - run.startStep());
                        long here = trainedHere.get() + inFlight.values().stream().mapToLong(Long::longValue).sum();
                        long doneNow = doneSteps.get() + inFlight.values().stream().mapToLong(Long::longValue).sum();
                        first.compareAndSet(null, new long[] {System.nanoTime(), here});
                        long steps = here - first.get()[1];
                        double secondsPerStep = steps <= 0 ? Double.NaN : (System.nanoTime() - first.get()[0]) / 1e9 / steps;
                        long left = Double.isNaN(secondsPerStep) ? -1 : Math.round((total - doneNow) * secondsPerStep);
                        out.accept(String.format("[%s] %s | grid %d/%d steps, ~%s left", run.label(), line,
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

    /**
     * Trains one run to its end (resuming or forking as its folder says) in a child JVM running
     * {@code babelflow train} against the shared broker: libtorch allows one gradient collector per
     * process, so runs in parallel need processes of their own (each with one libtorch thread: two
     * runs' thread pools would oversubscribe two cores). Its output goes to RUN_DIR/train.log, its
     * progress lines to {@code progress}. False when it was stopped or failed.
     */
    private boolean train(GridRun run, Consumer<String> progress) throws IOException, InterruptedException {
        boolean resume = !checkpoints(run).list().isEmpty();
        if (!resume) {
            deleteRecursively(run.dir()); // nothing durable yet: start again
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx768m", "-XX:+UseSerialGC", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", BabelFlow.class.getName(),
                "train", "--corpus", corpus.toString(), "--out", run.dir().toString(),
                "--bootstrap-servers", client.bootstrapServers()));
        if (resume) {
            command.add("--resume");
        } else {
            command.addAll(List.of("--config", writeConfig(run).toString()));
            if (run.forkFrom() != null) {
                command.addAll(List.of("--fork-from", run.forkFrom().toString(), "--fork-step",
                        String.valueOf(run.startStep())));
            }
        }
        Files.createDirectories(run.dir());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(process);
        boolean completed = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); BufferedWriter log = Files.newBufferedWriter(run.dir().resolve(TRAIN_LOG))) {
            String line;
            while ((line = lines.readLine()) != null) {
                log.write(line);
                log.newLine();
                if (line.startsWith("step ")) {
                    progress.accept(line);
                } else if (line.startsWith("run ")) {
                    out.accept("[" + run.label() + "] " + line);
                    completed |= line.contains(", completed;");
                }
            }
        } finally {
            int exit = process.waitFor();
            children.remove(process);
            if (exit != 0) {
                out.accept(String.format("[%s] babelflow train exited with %d; see %s", run.label(), exit,
                        run.dir().resolve(TRAIN_LOG)));
            }
        }
        if (!completed) {
            out.accept("[" + run.label() + "] did not complete; rerun the command to continue");
        }
        return completed;
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

    private void stopChildren() {
        children.forEach(Process::destroy);
        for (Process p : children) {
            try {
                p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stopChildren();
        try {
            Runtime.getRuntime().removeShutdownHook(stopHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
        reweighting.close();
        specialization.close();
        broker.close();
    }
}
