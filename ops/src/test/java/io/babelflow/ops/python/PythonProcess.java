package io.babelflow.ops.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's Python (never a pyenv one first on PATH) in {@code producers/python} with that folder on
 * PYTHONPATH. CI installs what it needs: {@code .ci/run}'s apt-get line.
 */
final class PythonProcess {
    static final String PYTHON = "/usr/bin/python3";
    static final Path HOME = Path.of("..", "producers", "python").toAbsolutePath().normalize();

    private PythonProcess() {
    }

    static ProcessBuilder builder(List<String> args) {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-u"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", HOME.toString());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb;
    }

    /** Runs to completion within 5 minutes and asserts exit code 0; returns the output. */
    static String run(List<String> args) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is missing: run .ci/run's apt-get line");
        Path log = Files.createTempFile("babelflow-python", ".log");
        try {
            Process p = builder(args).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(5, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(done, "python " + args + " did not finish in 5 minutes:\n" + output);
            assertEquals(0, p.exitValue(), "python " + args + " failed:\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
