package io.babelflow.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.StreamsDefaults;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page in headless Chromium against {@code serve} on a real broker: the runs list shows the
 * runs, every chart has data, a live update arrives without reload, compare mode overlays two runs.
 * Screenshots go to {@code ops/target/observatory/}.
 */
class ObservatoryPageIT {
    private static final Path SHOTS = Path.of("target", "observatory");
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final long STEPS = 600;

    @TempDir
    static Path state;
    private static EmbeddedKafka broker;
    private static Observatory observatory;
    private static KafkaProducer<byte[], byte[]> producer;
    private static SyntheticRun first;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(HeadlessChromium.available(), "chromium is not installed (apt-get install -y chromium)");
        broker = EmbeddedKafka.start();
        TopicProvisioner.ensureTopics(ClientConfig.of(broker.bootstrapServers()), (short) 1);
        observatory = Observatory.start(StreamsDefaults.base(broker.bootstrapServers(), "observatory-page-it",
                state.toString(), Map.of()), new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(10));
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        first = new SyntheticRun("page-it-a", 3, 4, 128, STEPS, 50, 1);
        SyntheticRun second = new SyntheticRun("page-it-b", 3, 4, 128, STEPS, 50, 2);
        first.start(producer, T0);
        first.steps(producer, 0, STEPS - 50, T0, 1000);
        second.start(producer, T0.plusSeconds(5));
        second.steps(producer, 0, STEPS, T0.plusSeconds(5), 900);
        second.end(producer, STEPS - 1, T0.plusSeconds(600));
        producer.flush();
        await(() -> runStep("page-it-a") == STEPS - 51 && runStep("page-it-b") == STEPS - 1, "both runs in the stores");
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (observatory != null) {
            observatory.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void thePageShowsTheRunLiveAndComparesTwo() throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium(observatory.pageUrl() + "#run=page-it-a", 1400, 1800)) {
            chromium.waitFor("document.body.dataset.loaded === 'page-it-a' && document.querySelectorAll('#runs li[data-run]').length === 2",
                    Duration.ofSeconds(30));
            JsonNode runs = chromium.eval("[...document.querySelectorAll('#runs li[data-run]')].map(li => li.dataset.run + ' ' + li.querySelector('.badge').textContent)");
            assertEquals("page-it-b completed", runs.get(0).asText() + "");
            assertEquals("page-it-a running", runs.get(1).asText());
            chromium.waitFor("document.body.dataset.lossPoints > 0 && document.body.dataset.mixturePoints > 0"
                    + " && document.body.dataset.neuronCells > 0 && document.body.dataset.wlCells > 0"
                    + " && document.querySelector('#chart-transfer .u-over') && document.querySelector('#chart-wl .u-over')"
                    + " && document.querySelectorAll('#overlap td').length === 9 && document.querySelectorAll('#stages .seg').length > 0"
                    + " && document.querySelector('#health').textContent.includes('observatory')", Duration.ofSeconds(30));
            chromium.screenshot(SHOTS.resolve("run.png"));
            ChartChecks.assertChartsMatchTheirData(chromium, "page-it-a", "python", "go", STEPS / 3);

            long before = chromium.eval("BF_STATE.updates").asLong();
            first.steps(producer, STEPS - 50, STEPS, T0, 1000);
            producer.flush();
            chromium.waitFor("BF_STATE.updates > " + before + " && BF_STATE.data.get('page-it-a').view.lastStep === " + (STEPS - 1)
                    + " && document.querySelector('#run-title').textContent.includes('step " + (STEPS - 1) + "')", Duration.ofSeconds(30));
            assertTrue(chromium.eval("document.querySelector('#live').textContent").asText().equals("live"));
            chromium.screenshot(SHOTS.resolve("live.png"));

            chromium.eval("document.querySelector('#runs li[data-run=\"page-it-b\"] input').click()");
            chromium.waitFor("[...document.querySelectorAll('#chart-loss .u-legend .u-label')].some(l => l.textContent.includes('· page-it-b'))",
                    Duration.ofSeconds(30));
            chromium.screenshot(SHOTS.resolve("compare.png"));
        }
    }

    private static long runStep(String run) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(observatory.pageUrl() + "api/runs/" + run)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body())
                    .path("run").path("lastStep").asLong() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 240_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for " + what);
            assertTrue(observatory.streams().state() != KafkaStreams.State.ERROR, "observatory failed");
            Thread.sleep(100);
        }
    }
}
