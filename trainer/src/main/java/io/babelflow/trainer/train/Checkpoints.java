package io.babelflow.trainer.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.probe.ActivationStatsAccumulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A run's checkpoints, {@code RUN_DIR/checkpoints/step-NNNNNNNN/} named by the next step to run:
 * state.json ({@link CheckpointState}), model.params (DJL parameter file), optimizer.ndlist (AdamW
 * moments) and stats.ndlist (the open activation-statistics window). Written to a temporary
 * folder and renamed, so a checkpoint is either complete or absent; the newest {@code keep} stay.
 */
public final class Checkpoints {
    private static final String PREFIX = "step-";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final int keep;

    public Checkpoints(Path dir, int keep) {
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    public Path save(CheckpointState state, LanguageModel model, AdamW optimizer, ActivationStatsAccumulator stats) {
        Path target = dir.resolve(String.format("%s%08d", PREFIX, state.nextStep()));
        Path tmp = dir.resolve(".tmp-" + target.getFileName());
        try {
            Files.createDirectories(tmp);
            JSON.writeValue(tmp.resolve("state.json").toFile(), state);
            model.save(tmp.resolve("model.params"));
            Files.write(tmp.resolve("optimizer.ndlist"), optimizer.moments().encode());
            Files.write(tmp.resolve("stats.ndlist"), stats.totals().encode());
            deleteRecursively(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            List<Path> all = list();
            for (int i = 0; i < all.size() - keep; i++) {
                deleteRecursively(all.get(i));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    /** Checkpoints oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    /** The checkpoint that starts step {@code nextStep}, if this run has it. */
    public Optional<Path> at(long nextStep) {
        Path p = dir.resolve(String.format("%s%08d", PREFIX, nextStep));
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** The steps this run's checkpoints start, oldest first. */
    public List<Long> steps() {
        return list().stream().map(p -> Long.parseLong(p.getFileName().toString().substring(PREFIX.length()))).toList();
    }

    public Optional<Path> latest() {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public static CheckpointState readState(Path checkpoint) {
        try {
            return JSON.readValue(checkpoint.resolve("state.json").toFile(), CheckpointState.class);
        } catch (IOException e) {
            throw new InvalidInputException("checkpoint " + checkpoint + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Loads the arrays of a checkpoint whose state the caller has already checked against the model. */
    public static void restore(Path checkpoint, CheckpointState state, LanguageModel model, AdamW optimizer,
            ActivationStatsAccumulator stats) {
        try (NDManager scope = model.manager().newSubManager()) {
            model.load(checkpoint.resolve("model.params"));
            optimizer.restore(NDList.decode(scope, Files.readAllBytes(checkpoint.resolve("optimizer.ndlist"))),
                    state.optimizerSteps());
            stats.restore(NDList.decode(scope, Files.readAllBytes(checkpoint.resolve("stats.ndlist"))), state.statsTokens());
        } catch (IOException e) {
            throw new InvalidInputException("checkpoint " + checkpoint + " is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Loads model and optimizer only, for a fork: its activation-statistics window starts afresh, as
     * its languages may differ from the parent's.
     */
    public static void restoreWeights(Path checkpoint, CheckpointState state, LanguageModel model, AdamW optimizer) {
        try (NDManager scope = model.manager().newSubManager()) {
            model.load(checkpoint.resolve("model.params"));
            optimizer.restore(NDList.decode(scope, Files.readAllBytes(checkpoint.resolve("optimizer.ndlist"))),
                    state.optimizerSteps());
        } catch (IOException e) {
            throw new InvalidInputException("checkpoint " + checkpoint + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
