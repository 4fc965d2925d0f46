package io.babelflow.streams.specialization.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.StreamsDefaults;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start and stop without a broker: the query server answers 503 until the stores are assigned. */
class SpecializationAppLifecycleTest {
    @TempDir
    Path stateDir;

    @Test
    void startsServesUnavailableAndStopsCleanly() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            SpecializationApp app = SpecializationApp.start(
                    StreamsDefaults.base("127.0.0.1:1", "lifecycle-test", stateDir.toString(), Map.of()),
                    SpecializationConfig.DEFAULTS, new InetSocketAddress("127.0.0.1", 0));
            try {
                assertTrue(app.httpAddress().getPort() > 0);
                URI uri = URI.create("http://127.0.0.1:" + app.httpAddress().getPort() + "/runs/run-1/summary");
                HttpResponse<String> response = HttpClient.newHttpClient()
                        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, response.statusCode(), response.body());
            } finally {
                app.close();
            }
            assertEquals(KafkaStreams.State.NOT_RUNNING, app.streams().state());
            app.awaitStop();
            app.close();
        });
    }
}
