package io.babelflow.trainer.train;

import io.babelflow.schemas.telemetry.TelemetrySink;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What {@link Trainer} needs to start or resume a run; build with {@link #builder}.
 *
 * @param configFile    run config YAML; null on resume = the run folder's resolved config.yaml
 * @param corpusDir     prepared corpus folder (see PreparedCorpus)
 * @param runDir        run folder: config.yaml, telemetry.avro, checkpoints/
 * @param steps         overrides run.steps (total steps of the run, counted from 0); null = keep
 * @param seed          overrides run.seed; null = keep (a resume must keep the run's seed)
 * @param resume        continue the run in runDir from its newest checkpoint
 * @param sink          where events go; null = FileTelemetrySink at runDir/telemetry.avro (closed by the trainer)
 * @param progress      receives a status line every logging.every steps; null = log at INFO
 * @param stopOnSignal  install a shutdown hook so SIGTERM/SIGINT checkpoint at the next step boundary
 * @param fork          start a new run from another run's checkpoint; null = start from scratch (or resume)
 */
public record TrainOptions(Path configFile, Path corpusDir, Path runDir, Long steps, Long seed, boolean resume,
        TelemetrySink sink, Consumer<Progress> progress, boolean stopOnSignal, Fork fork) {

    /** Where a forked run starts: the parent run folder and the step of the checkpoint to start from. */
    public record Fork(Path parentRunDir, long step) {
        public Fork {
            Objects.requireNonNull(parentRunDir, "parentRunDir");
        }
    }

    public TrainOptions {
        Objects.requireNonNull(corpusDir, "corpusDir");
        Objects.requireNonNull(runDir, "runDir");
    }

    /** These options with another sink. */
    public TrainOptions withSink(TelemetrySink sink) {
        return new TrainOptions(configFile, corpusDir, runDir, steps, seed, resume, sink, progress, stopOnSignal, fork);
    }

    /** These options with or without the trainer's own stop hook. */
    public TrainOptions withStopOnSignal(boolean stopOnSignal) {
        return new TrainOptions(configFile, corpusDir, runDir, steps, seed, resume, sink, progress, stopOnSignal, fork);
    }

    public static Builder builder(Path corpusDir, Path runDir) {
        return new Builder(corpusDir, runDir);
    }

    public static final class Builder {
        private final Path corpusDir;
        private final Path runDir;
        private Path configFile;
        private Long steps;
        private Long seed;
        private boolean resume;
        private TelemetrySink sink;
        private Consumer<Progress> progress;
        private boolean stopOnSignal = true;
        private Fork fork;

        private Builder(Path corpusDir, Path runDir) {
            this.corpusDir = corpusDir;
            this.runDir = runDir;
        }

        public Builder config(Path configFile) {
            this.configFile = configFile;
            return this;
        }

        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder sink(TelemetrySink sink) {
            this.sink = sink;
            return this;
        }

        public Builder progress(Consumer<Progress> progress) {
            this.progress = progress;
            return this;
        }

        public Builder stopOnSignal(boolean stopOnSignal) {
            this.stopOnSignal = stopOnSignal;
            return this;
        }

        /** Starts a new run from {@code parentRunDir}'s checkpoint at {@code step} (see {@link Trainer}). */
        public Builder forkFrom(Path parentRunDir, long step) {
            this.fork = new Fork(parentRunDir, step);
            return this;
        }

        public TrainOptions build() {
            return new TrainOptions(configFile, corpusDir, runDir, steps, seed, resume, sink, progress, stopOnSignal, fork);
        }
    }
}
