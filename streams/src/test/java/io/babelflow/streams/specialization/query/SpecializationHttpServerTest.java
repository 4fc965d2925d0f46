package io.babelflow.streams.specialization.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.babelflow.streams.InteractiveQueries;
import io.babelflow.streams.JsonSerde;
import io.babelflow.streams.specialization.app.SpecializationStores;
import io.babelflow.streams.specialization.app.StoreKeys;
import io.babelflow.streams.specialization.stage.RunLanguages;
import io.babelflow.streams.specialization.stage.RunSummary;
import io.babelflow.streams.specialization.stage.StageEvidence;
import io.babelflow.streams.specialization.stage.StageState;
import io.babelflow.streams.specialization.stage.StageTimeline;
import io.babelflow.streams.specialization.window.LayerProbabilities;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP layer over in-memory stand-ins for the stores; the stores themselves are tested with the topology. */
class SpecializationHttpServerTest {
    private final Map<String, Map<String, Object>> stores = new HashMap<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private SpecializationHttpServer server;
    private String otherOwnedRun = "elsewhere";

    @BeforeEach
    void start() throws Exception {
        server = SpecializationHttpServer.bind(new InetSocketAddress("127.0.0.1", 0));
        server.start(new SpecializationQueries(new InteractiveQueries.StoreAccess() {
            @Override
            public <V> ReadOnlyKeyValueStore<String, V> store(String name) {
                return new MapStore<>(stores.computeIfAbsent(name, n -> new java.util.TreeMap<>()));
            }
        }, run -> run.equals(otherOwnedRun) ? Optional.of(new HostInfo("other-host", 8123)) : Optional.empty()));
        StageTimeline timeline = StageTimeline.EMPTY.with(new StageTimeline.Entry("go", null,
                io.babelflow.events.Stage.TRANSLATION, 99, Map.of("transferRatio", 0.8), "first observation", 5));
        stores.computeIfAbsent(SpecializationStores.STAGE_TIMELINE, n -> new java.util.TreeMap<>()).put("run-1", timeline);
        Map<String, Object> history = stores.computeIfAbsent(SpecializationStores.NEURON_HISTORY, n -> new java.util.TreeMap<>());
        history.put(StoreKeys.history("run-1", 2, 99), new LayerProbabilities(99, List.of("python", "go"), 2,
                new float[] {0.1f, 0.2f, 0.5f, 0.25f}));
        history.put(StoreKeys.history("run-1", 2, 199), new LayerProbabilities(199, List.of("python", "go"), 2,
                new float[] {0.1f, 0.2f, 0.75f, 0.5f}));
        history.put(StoreKeys.history("run-10", 2, 99), new LayerProbabilities(99, List.of("python", "go"), 2,
                new float[] {0.9f, 0.9f, 0.9f, 0.9f}));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void servesTheStageTimeline() throws Exception {
        HttpResponse<String> response = get("/runs/run-1/stages");
        assertEquals(200, response.statusCode());
        JsonNode body = JsonSerde.MAPPER.readTree(response.body());
        assertEquals("TRANSLATION", body.get("changes").get(0).get("to").asText());
        assertEquals(0.8, body.get("changes").get(0).get("signals").get("transferRatio").asDouble());
    }

    @Test
    void servesTheRunSummary() throws Exception {
        RunLanguages roles = new RunLanguages("python", List.of("go"));
        RunSummary summary = RunSummary.empty("run-1", roles)
                .withLoss(new StageEvidence.LossEvidence(300, "go", 2.0, Double.NaN, 1), 7)
                .withStage("go", new StageState(io.babelflow.events.Stage.TRANSITION, 2));
        stores.computeIfAbsent(SpecializationStores.RUN_SUMMARY, n -> new java.util.TreeMap<>()).put("run-1", summary);
        HttpResponse<String> response = get("/runs/run-1/summary");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JsonSerde.MAPPER.readTree(response.body());
        assertEquals("python", body.get("primary").asText());
        assertEquals("TRANSITION", body.get("stages").get("go").get("stage").asText());
        assertEquals(2, body.get("stages").get("go").get("streak").asInt());
        assertEquals("NaN", body.get("heldOutLoss").get("go").get("slopePer1000Steps").asText(), "unknown slope");
    }

    @Test
    void servesOneNeuronsHistoryOfItsRunOnly() throws Exception {
        HttpResponse<String> response = get("/runs/run-1/layers/2/neurons/1/history");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JsonSerde.MAPPER.readTree(response.body());
        assertEquals(2, body.size(), "run-10 shares the prefix run-1 but not the key");
        assertEquals(99, body.get(0).get("windowEnd").asLong());
        assertEquals(0.5, body.get(1).get("probability").get("go").asDouble(), 1e-7);
    }

    @Test
    void answersNotFoundBadRequestAndRedirect() throws Exception {
        assertEquals(404, get("/runs/nobody/summary").statusCode());
        assertEquals(404, get("/runs/run-1/layers/0/neurons").statusCode());
        assertEquals(404, get("/runs/run-1/layers/2/neurons/7/history").statusCode(), "only 2 neurons");
        assertEquals(404, get("/nothing").statusCode());
        assertEquals(400, get("/runs/run-1/layers/99999999999/neurons").statusCode());
        HttpResponse<String> moved = get("/runs/elsewhere/summary");
        assertEquals(307, moved.statusCode());
        assertTrue(moved.headers().firstValue("Location").orElseThrow()
                .equals("http://other-host:8123/runs/elsewhere/summary"));
    }

    @Test
    void aHugeRunIdOrABadLayerIsAShortBadRequest() throws Exception {
        HttpResponse<String> huge = get("/runs/" + "r".repeat(100_000) + "/summary");
        assertEquals(400, huge.statusCode());
        assertTrue(huge.body().length() < 200, "the id is not echoed: " + huge.body().length() + " characters");
        HttpResponse<String> layer = get("/runs/run-1/layers/abc/neurons");
        assertEquals(400, layer.statusCode(), layer.body());
        assertTrue(layer.body().contains("layer 'abc' is not a whole number"), layer.body());
        HttpResponse<String> tooBig = get("/runs/run-1/layers/2/neurons/99999999999/history");
        assertEquals(400, tooBig.statusCode());
        assertTrue(!tooBig.body().contains("For input string"), "no Java parse error: " + tooBig.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A read-only store over a sorted map, enough for gets and prefix scans. */
    private record MapStore<V>(Map<String, Object> map) implements ReadOnlyKeyValueStore<String, V> {
        @Override
        @SuppressWarnings("unchecked")
        public V get(String key) {
            return (V) map.get(key);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, V> prefixScan(
                P prefix, PS serializer) {
            List<KeyValue<String, V>> hits = map.entrySet().stream()
                    .filter(e -> e.getKey().startsWith((String) prefix))
                    .map(e -> KeyValue.pair(e.getKey(), (V) e.getValue())).toList();
            return iterator(hits);
        }

        @Override
        public KeyValueIterator<String, V> range(String from, String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyValueIterator<String, V> all() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long approximateNumEntries() {
            return map.size();
        }

        private static <V> KeyValueIterator<String, V> iterator(List<KeyValue<String, V>> items) {
            java.util.Iterator<KeyValue<String, V>> it = items.iterator();
            return new KeyValueIterator<>() {
                @Override
                public void close() {
                }

                @Override
                public String peekNextKey() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public KeyValue<String, V> next() {
                    return it.next();
                }
            };
        }
    }
}
