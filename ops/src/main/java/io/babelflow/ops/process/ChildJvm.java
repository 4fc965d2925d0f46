package io.babelflow.ops.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java process started from this one with the same class path, under {@link OrphanGuard}: its
 * output goes to a log file, and it ends when this JVM ends, however that happens. Used for the
 * nodes of {@code babelflow cluster} and for app instances in multi-process tests.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final OutputStream lifeline;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.lifeline = process.getOutputStream();
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM with {@code jvmOptions}; stdout and
     * stderr are appended to {@code log}.
     */
    public static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(OrphanGuard.class.getName());
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** SIGKILL: no shutdown hook, no clean close; what a crash or the OOM killer does. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * SIGTERM (the child's shutdown hooks run), SIGKILL if it has not ended after {@code grace}.
     * Returns whether it ended within the grace period.
     */
    public boolean stop(Duration grace) {
        process.destroy();
        if (awaitExit(grace)) {
            closeLifeline();
            return true;
        }
        kill();
        closeLifeline();
        return false;
    }

    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last {@code lines} lines of the child's log, to say why it failed. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void closeLifeline() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the child is gone; its pipe with it
        }
    }

    @Override
    public void close() {
        if (alive()) {
            stop(Duration.ofSeconds(30));
        } else {
            closeLifeline();
        }
    }
}
