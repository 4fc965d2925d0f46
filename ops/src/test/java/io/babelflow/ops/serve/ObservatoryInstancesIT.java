package io.babelflow.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.StreamsDefaults;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code serve} instances on one broker share the runs; a page connected to either one gets
 * the live events of any run: relayed with their ids from the owner (so a reconnect resumes), or
 * merged with this instance's own.
 */
class ObservatoryInstancesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void eitherInstanceStreamsAnyRunsEvents() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            TopicProvisioner.ensureTopics(ClientConfig.of(kafka.bootstrapServers()), (short) 1);
            try (Observatory a = start(kafka, "a"); Observatory b = start(kafka, "b");
                 KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                await(() -> a.streams().state() == KafkaStreams.State.RUNNING && b.streams().state() == KafkaStreams.State.RUNNING
                        && a.streams().metadataForAllStreamsClients().size() == 2, "both instances RUNNING in one group");
                List<SyntheticRun> runs = new ArrayList<>();
                for (int i = 0; i < 6; i++) { // over 3 partitions: each instance owns some
                    SyntheticRun run = new SyntheticRun("inst-" + i, 2, 2, 64, 100, 1000, i);
                    run.start(producer, T0);
                    run.step(producer, 0, T0);
                    runs.add(run);
                }
                producer.flush();
                await(() -> runs.stream().allMatch(r -> status(a, r.runId(), false) == 200), "every run answered by a");
                SyntheticRun ofB = runs.stream().filter(r -> status(a, r.runId(), true) == 404).findFirst().orElseThrow();
                SyntheticRun ofA = runs.stream().filter(r -> status(a, r.runId(), true) == 200).findFirst().orElseThrow();

                // a page on a, following a run b owns: b's events with b's ids
                Stream remote = new Stream(a.pageUrl() + "api/events?run=" + ofB.runId(), null);
                Stream mixed = new Stream(a.pageUrl() + "api/events?run=" + ofB.runId() + "&run=" + ofA.runId(), null);
                await(() -> a.eventClients() == 2 && b.eventClients() >= 2, "the pages connected, through a to b");
                ofB.step(producer, 1, T0.plusSeconds(1));
                ofA.step(producer, 1, T0.plusSeconds(1));
                producer.flush();
                JsonNode first = remote.next("train");
                assertEquals(ofB.runId(), first.path("runId").asText());
                assertEquals(1, first.path("step").asLong());
                String id = remote.lastId;
                assertTrue(id != null, "relayed with the owner's id");
                List<String> seen = new ArrayList<>();
                seen.add(mixed.next("train").path("runId").asText());
                seen.add(mixed.next("train").path("runId").asText());
                assertEquals(java.util.Set.of(ofA.runId(), ofB.runId()), java.util.Set.copyOf(seen),
                        "both runs' steps on the merged stream");
                remote.close();
                mixed.close();

                // the page reconnects with its last id after missing a step: it receives that step
                ofB.step(producer, 2, T0.plusSeconds(2));
                producer.flush();
                await(() -> status(b, ofB.runId(), true) == 200 && lastStep(b, ofB.runId()) == 2, "step 2 in b's stores");
                Stream resumed = new Stream(a.pageUrl() + "api/events?run=" + ofB.runId(), id);
                JsonNode missed = resumed.next("train");
                assertEquals(2, missed.path("step").asLong(), "the step missed while away");
                resumed.close();
            }
        }
    }

    /** One page's event stream, read on its own thread. */
    private final class Stream implements AutoCloseable {
        private final BlockingQueue<String[]> frames = new LinkedBlockingQueue<>();
        private final Thread reader;
        private InputStream body;
        volatile String lastId;

        Stream(String url, String lastEventId) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            reader = new Thread(() -> {
                try {
                    body = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()).body();
                    BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                    String line;
                    String id = null;
                    String data = null;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("id: ")) {
                            id = line.substring(4);
                        } else if (line.startsWith("data: ")) {
                            data = line.substring(6);
                        } else if (line.isEmpty() && data != null) {
                            frames.add(new String[] {id, data});
                            id = null;
                            data = null;
                        }
                    }
                } catch (Exception e) {
                    // closed by the test
                }
            }, "sse-" + url);
            reader.setDaemon(true);
            reader.start();
        }

        /** The next update of {@code kind}, within a minute. */
        JsonNode next(String kind) throws Exception {
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                String[] frame = frames.poll(1, TimeUnit.SECONDS);
                if (frame != null) {
                    JsonNode u = JSON.readTree(frame[1]);
                    if (kind.equals(u.path("kind").asText())) {
                        lastId = frame[0];
                        return u;
                    }
                }
            }
            throw new AssertionError("no " + kind + " update within a minute");
        }

        @Override
        public void close() throws Exception {
            if (body != null) {
                body.close();
            }
            reader.interrupt();
        }
    }

    private Observatory start(EmbeddedKafka kafka, String name) {
        return Observatory.start(StreamsDefaults.base(kafka.bootstrapServers(), "instances-it", dir.resolve(name).toString(),
                Map.of()), new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(10));
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private int status(Observatory o, String run, boolean local) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(o.pageUrl() + "api/runs/" + run + (local ? "?local=1" : "")))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private long lastStep(Observatory o, String run) {
        try {
            return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(o.pageUrl() + "api/runs/" + run)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("run").path("lastStep").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
