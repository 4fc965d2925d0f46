package io.babelflow.ops.faults;

import io.babelflow.ops.BabelFlow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code babelflow} command in its own JVM, so a test can SIGKILL it ({@link #kill()} is
 * {@code destroyForcibly}). Its output is kept (and copied to a log file) and can be waited on.
 */
final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                // the process died: its output ends here
            }
        }, "child-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    static ChildJvm babelflow(String name, Path logDir, String... args) throws IOException {
        return babelflow(name, logDir, List.of(), args);
    }

    static ChildJvm babelflow(String name, Path logDir, List<String> jvmArgs, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1"));
        command.addAll(jvmArgs);
        command.add(BabelFlow.class.getName());
        command.addAll(List.of(args));
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Files.writeString(log, String.join(" ", args) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new ChildJvm(name, new ProcessBuilder(command).redirectErrorStream(true).start(), log);
    }

    /** Waits until a line of output matches; fails naming the child when it exits or the time runs out first. */
    String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            for (; seen < lines.size(); seen++) {
                if (matches.test(lines.get(seen))) {
                    return lines.get(seen);
                }
            }
            if (!process.isAlive() && seen == lines.size()) {
                Thread.sleep(50); // let the pump drain
                if (seen == lines.size()) {
                    throw new AssertionError(name + " exited (" + process.exitValue() + ") before the expected line:\n"
                            + tail());
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + ": expected line not seen in " + timeout + ":\n" + tail());
    }

    /** The step of a trainer progress line ("step 12/60 ..."), or -1. */
    static long step(String line) {
        if (!line.startsWith("step ")) {
            return -1;
        }
        int slash = line.indexOf('/');
        return slash < 0 ? -1 : Long.parseLong(line.substring(5, slash));
    }

    /** SIGKILL: no shutdown hook, no flush, no close. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running after " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    String tail() {
        int from = Math.max(0, lines.size() - 40);
        return String.join("\n", lines.subList(from, lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
