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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs an experiment's grid through the real loop: one embedded broker (its data kept in
 * OUT/kafka, so a rerun finds the earlier runs' topics), one specialization and one reweighting
 * app shared by every run, the runs one after another. A run whose final checkpoint exists is
 * skipped, one with a checkpoint is resumed, and one that never reached a checkpoint starts again,
 * so rerunning the command continues an interrupted grid.
 */
public final class ExperimentRunner implements AutoCloseable {
    /** LAPE with the lowest-entropy 5 % (not 1 %): a 2 x 256-neuron model has too few neurons for 1 %. */
    static final SpecializationConfig SPECIALIZATION = SpecializationConfig.DEFAULTS
            .withLape(new LapeParameters(0.95, 0.05, 0.95));

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
        out.accept("Kafka at " + broker.bootstrapServers() + " (embedded, data in " + outDir.resolve("kafka")
                + "); specialization and reweighting apps running");
    }

    /** True when the run's final checkpoint exists. */
    public static boolean done(GridRun run) {
        return checkpoints(run).at(run.steps()).isPresent();
    }

    /** Runs {@code runs} in order; {@code grid} is the whole grid, for the time-left estimate. */
    public void run(List<GridRun> runs, List<GridRun> grid) throws InterruptedException {
        long total = grid.stream().mapToLong(GridRun::stepsToTrain).sum();
        long doneSteps = grid.stream().filter(ExperimentRunner::done).mapToLong(GridRun::stepsToTrain).sum();
        long started = System.nanoTime();
        long trainedHere = 0;
        for (GridRun run : runs) {
            if (done(run)) {
                continue;
            }
            long before = doneSteps;
            long startNanos = started;
            long[] trained = {trainedHere};
            boolean resume = !checkpoints(run).list().isEmpty();
            if (!resume) {
                deleteRecursively(run.dir()); // nothing durable yet: start again
            }
            Path config = Files.exists(run.dir().resolve(Trainer.CONFIG_FILE)) && resume ? null : writeConfig(run);
            TrainOptions.Builder options = TrainOptions.builder(corpus, run.dir()).resume(resume).stopOnSignal(true)
                    .progress(p -> {
                        long doneNow = before + (p.step() + 1 - run.startStep());
                        long here = trained[0] + (p.step() + 1 - run.startStep());
                        double secondsPerStep = here <= 0 ? Double.NaN : (System.nanoTime() - startNanos) / 1e9 / here;
                        long left = Double.isNaN(secondsPerStep) ? -1 : Math.round((total - doneNow) * secondsPerStep);
                        out.accept(String.format("[%s] %s | grid %d/%d steps, ~%s left", run.label(), p.line(),
                                doneNow, total, left < 0 ? "?" : left / 60 + " min " + left % 60 + " s"));
                    });
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
            long firstStep = o.result().firstStep();
            if (!"completed".equals(o.result().reason())) {
                out.accept("[" + run.label() + "] " + o.result().reason() + "; rerun the command to continue");
                return;
            }
            long steps = run.steps() - firstStep;
            doneSteps += run.steps() - run.startStep();
            trainedHere += steps;
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
