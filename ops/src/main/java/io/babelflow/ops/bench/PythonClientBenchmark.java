package io.babelflow.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.reweighting.app.ReweightingApp;
import io.babelflow.streams.reweighting.app.ReweightingConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Python client's figures: {@code watch_ffn}'s cost in the example trainer's step
 * ({@code producers/python/examples/bench_hooks.py}), and the feedback latency seen from Python — the
 * example trainer under a {@code schedule} policy that sends an update for every step, from the TrainStep
 * handed to {@code Run} to the MixtureUpdate based on it accepted by its {@code MixtureFollower}.
 */
public final class PythonClientBenchmark {
    static final String PYTHON = "/usr/bin/python3";

    public record Latency(int samples, double p50Millis, double p99Millis, double maxMillis) {
    }

    private PythonClientBenchmark() {
    }

    /** Runs bench_hooks.py, printing its lines. */
    public static void hooks(Path pythonDir, Path corpus, int rounds, Consumer<String> log) throws Exception {
        python(pythonDir, List.of("examples/bench_hooks.py", "--corpus", corpus.toAbsolutePath().toString(),
                "--rounds", String.valueOf(rounds)), log);
    }

    public static Latency feedback(ClientConfig client, Path pythonDir, Path corpus, int steps, int stepMillis,
            Consumer<String> log) throws Exception {
        Path work = Files.createTempDirectory("babelflow-bench-python");
        String example = Files.readString(pythonDir.resolve("examples").resolve("tiny-feedback.yaml"));
        String feedback = example.substring(example.indexOf("feedback:"));
        Path config = Files.writeString(work.resolve("run.yaml"), example.replace(feedback, """
                feedback:
                  policy: schedule
                  params: {phases: "0:python=1.0,go=0.0;%d:python=0.5,go=0.5", curve: linear, every: "1"}
                """.formatted(steps)));
        String appId = "babelflow-python-bench-" + System.currentTimeMillis();
        var props = ReweightingApp.streamsConfig(client.bootstrapServers(), appId, work.resolve("state").toString(),
                client.overrides());
        StartAtEnd.commit(client, appId, ReweightingApp.topology(ReweightingConfig.DEFAULTS));
        try (ReweightingApp app = ReweightingApp.start(props, ReweightingConfig.DEFAULTS)) {
            while (app.streams().state() != KafkaStreams.State.RUNNING) {
                Thread.sleep(50);
            }
            Path out = work.resolve("run");
            python(pythonDir, List.of("examples/torch_trainer.py", "--config", config.toString(), "--corpus",
                    corpus.toAbsolutePath().toString(), "--bootstrap-servers", client.bootstrapServers(), "--out",
                    out.toString(), "--steps", String.valueOf(steps), "--step-millis", String.valueOf(stepMillis),
                    "--log-every", "50"), line -> {
                        if (!line.contains("mixture version")) {
                            log.accept(line);
                        }
                    });
            JsonNode summary = new ObjectMapper().readTree(out.resolve("summary-rank0.json").toFile());
            List<Double> latencies = new ArrayList<>();
            summary.get("feedbackLatencyMs").forEach(n -> latencies.add(n.asDouble()));
            // the list is sorted; drop the first 5 % of samples as warm-up, as the Java benchmark does
            return percentiles(latencies.subList(Math.min(latencies.size(), latencies.size() / 20), latencies.size()));
        }
    }

    static Latency percentiles(List<Double> sorted) {
        if (sorted.isEmpty()) {
            return new Latency(0, Double.NaN, Double.NaN, Double.NaN);
        }
        List<Double> s = sorted.stream().sorted().toList();
        return new Latency(s.size(), s.get((int) Math.floor(0.5 * (s.size() - 1))),
                s.get((int) Math.ceil(0.99 * (s.size() - 1))), s.get(s.size() - 1));
    }

    private static void python(Path pythonDir, List<String> args, Consumer<String> log) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-u"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(pythonDir.toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", pythonDir.toAbsolutePath().toString());
        Process p = pb.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                log.accept(line);
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(PYTHON + " " + args.get(0) + " failed with exit code " + p.exitValue());
        }
    }
}
