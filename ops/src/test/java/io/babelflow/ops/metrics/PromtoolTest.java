package io.babelflow.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The shipped Prometheus files pass Prometheus' own checks; the rules' tests pass. */
class PromtoolTest {

    private static void assertOk(Promtool.Result result) {
        assertEquals(0, result.exit(), result.output());
    }

    @Test
    void theScrapeConfigIsValid() throws Exception {
        assertOk(Promtool.run(null, "check", "config", "prometheus/prometheus.yml"));
    }

    @Test
    void theRulesAreValid() throws Exception {
        assertOk(Promtool.run(null, "check", "rules", "prometheus/rules.yml"));
    }

    @Test
    void everyRuleFiresOnItsSeriesAndNotOnTheOthers() throws Exception {
        assertOk(Promtool.run(null, "test", "rules", "prometheus/rules.test.yml"));
    }

    @Test
    void everyAlertingRuleHasATest() throws Exception {
        String rules = Files.readString(Path.of("prometheus/rules.yml"));
        String tests = Files.readString(Path.of("prometheus/rules.test.yml"));
        Matcher m = Pattern.compile("- alert: (\\w+)").matcher(rules);
        int count = 0;
        while (m.find()) {
            count++;
            assertTrue(tests.contains("alertname: " + m.group(1)), m.group(1) + " untested");
        }
        assertEquals(13, count);
    }

    /** The trainer's and a Streams app's series, served over HTTP as Prometheus scrapes them, pass the linter. */
    @Test
    void aLiveExpositionPassesCheckMetrics() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        StepRate steps = new StepRate(30_000_000_000L, System.nanoTime());
        steps.record(0, System.nanoTime());
        TrainerMetrics.register(registry, "run-1", steps, () -> true);
        registry.register(new StreamsMetricsCollector("reweighting", () -> KafkaStreams.State.RUNNING, Map::of));
        try (MetricsServer server = MetricsServer.start(0, registry)) {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertOk(Promtool.run(body, "check", "metrics"));
        }
    }
}
