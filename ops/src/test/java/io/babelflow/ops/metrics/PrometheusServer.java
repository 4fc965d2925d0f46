package io.babelflow.ops.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus server for a test: a generated config scraping the given jobs every second,
 * storage in a temp folder, listening on a free port of 127.0.0.1.
 */
final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** @param jobs job name → targets (host:port) */
    static PrometheusServer start(Path dir, Map<String, List<String>> jobs) throws IOException, InterruptedException {
        Path binary = Promtool.binary("prometheus");
        StringBuilder config = new StringBuilder("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                + "rule_files: ['" + Path.of("prometheus", "rules.yml").toAbsolutePath() + "']\nscrape_configs:\n");
        jobs.forEach((job, targets) -> config.append("  - job_name: ").append(job)
                .append("\n    static_configs: [{targets: [").append(targets.stream().map(t -> "'" + t + "'")
                        .collect(Collectors.joining(", "))).append("]}]\n"));
        Path configFile = Files.writeString(Files.createDirectories(dir).resolve("prometheus.yml"), config);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, port);
        Instant deadline = Instant.now().plusSeconds(60);
        while (!server.ready()) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                server.close();
                throw new IllegalStateException("prometheus did not become ready: "
                        + Files.readString(dir.resolve("prometheus.log")));
            }
            Thread.sleep(200);
        }
        return server;
    }

    private boolean ready() throws InterruptedException {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The series a range query returns over [start, end] at a 1 s step; fails on a query Prometheus rejects. */
    JsonNode queryRange(String expr, Instant start, Instant end) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query_range?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)
                + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=1");
        JsonNode body = new ObjectMapper().readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException(expr + ": " + response.body());
        }
        return body.path("data").path("result");
    }

    /** The scrape targets and their health, as Prometheus reports them. */
    JsonNode targets() throws IOException, InterruptedException {
        return new ObjectMapper().readTree(get("/api/v1/targets").body()).path("data").path("activeTargets");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
