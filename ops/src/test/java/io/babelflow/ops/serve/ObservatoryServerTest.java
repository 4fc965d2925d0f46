package io.babelflow.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.observatory.ObservatoryQueries;
import io.babelflow.streams.observatory.ObservatoryUpdate;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP contract without a broker: bad input, event ids and resuming, the page's files. */
class ObservatoryServerTest {
    private final EventHub hub = new EventHub(4);
    private ObservatoryServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = ObservatoryServer.bind(new InetSocketAddress("127.0.0.1", 0));
        ObservatoryQueries queries = new ObservatoryQueries(new io.babelflow.streams.InteractiveQueries.StoreAccess() {
            @Override
            public <V> org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, V> store(String name) {
                throw new InvalidStateStoreException("rebalancing");
            }
        }, run -> Optional.empty());
        server.start(queries, hub, new PrometheusRegistry(), Map::of);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void malformedRequestsGetAShort400() throws Exception {
        assertEquals(400, get("/api/runs?local=2").statusCode());
        assertEquals("{\"error\":\"local must be 0 or 1, got '2'\"}", get("/api/runs?local=2").body());
        assertEquals(400, get("/api/runs/r/series?prefix=a&prefix=b").statusCode());
        assertEquals(400, get("/api/events?lastEventId=abc").statusCode());
        assertEquals(400, get("/api/runs/r/series?fields=mean,bogus").statusCode());
    }

    @Test
    void unknownPathsMethodsAndUnqueryableStoresAreNamed() throws Exception {
        assertEquals(404, get("/api/nothing").statusCode());
        assertEquals(404, get("/static/missing.js").statusCode());
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/runs"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals(503, get("/api/runs").statusCode());
    }

    @Test
    void thePageAndUPlotComeFromTheClassPath() throws Exception {
        assertTrue(get("/").body().contains("<title>BabelFlow Observatory</title>"));
        HttpResponse<String> uplot = get("/static/uplot.js");
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.body().contains("uPlot"));
        assertEquals(200, get("/metrics").statusCode());
    }

    @Test
    void aReconnectingPageGetsWhatItMissedAndOneTooFarBehindIsToldToReload() throws Exception {
        for (int step = 1; step <= 3; step++) {
            hub.onUpdate(new ObservatoryUpdate("r", "train", step, Map.of("loss", 1.0)));
        }
        assertEquals(List.of("id: 2", "id: 3"), ids(events("1"), 2));
        for (int step = 4; step <= 9; step++) {
            hub.onUpdate(new ObservatoryUpdate("r", "train", step, Map.of("loss", 1.0)));
        }
        // the hub keeps 4: ids 6..9; a page at id 2 missed 3..5
        List<String> lines = events("2");
        assertEquals("event: reset", readUntil(lines, "event: "));
    }

    private List<String> events(String lastEventId) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/api/events?run=r").toURL().openConnection();
        c.setRequestProperty("Last-Event-ID", lastEventId);
        c.setReadTimeout(5_000);
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.currentTimeMillis() + Duration.ofSeconds(5).toMillis();
            String line;
            while (System.currentTimeMillis() < deadline && (line = in.readLine()) != null) {
                lines.add(line);
                if (lines.stream().filter(l -> l.startsWith("id: ") || l.startsWith("event: reset")).count() >= 2) {
                    break;
                }
            }
        } finally {
            c.disconnect();
        }
        return lines;
    }

    private static List<String> ids(List<String> lines, int n) {
        return lines.stream().filter(l -> l.startsWith("id: ")).limit(n).toList();
    }

    private static String readUntil(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("(none in " + lines + ")");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
