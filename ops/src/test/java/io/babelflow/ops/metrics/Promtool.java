package io.babelflow.ops.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Prometheus' own tools, from the Debian package {@code prometheus}; a test that needs them fails without them. */
final class Promtool {
    static final String INSTALL = "apt-get update && apt-get install -y prometheus";

    record Result(int exit, String output) {
    }

    private Promtool() {
    }

    /** The executable on PATH, or a failed test naming the install line: never a skip. */
    static Path binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(name + " is not installed (it is in Debian's prometheus package): " + INSTALL);
    }

    /** Runs promtool with {@code args}, feeding {@code stdin} when not null; waits for it. */
    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary("promtool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }
}
