package io.babelflow.ops.bench;

import io.babelflow.ops.process.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.serve.HeadlessChromium;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.ops.serve.SyntheticRun;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.observatory.ObservatoryApp;
import io.babelflow.streams.observatory.ObservatoryListener;
import io.babelflow.streams.observatory.ObservatoryStores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * The observatory's figures: event-to-page latency over server-sent events, the JSON API's answer
 * time for a long run's page and its state-store size, and {@code serve} under several live pages
 * while a 7B-shaped load generator runs.
 */
public final class ObservatoryBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The series prefixes the page asks for when it opens a run (app.js, loadRun / ensureLayers). */
    private static final List<String> PAGE_PREFIXES = List.of("loss/", "tokens/", "time", "mixture/", "transfer/",
            "neurons/specific/go/", "wl/go/", "wl/cpp/", "wl/rust/", "wl/java/", "wl/ruby/", "wl/perl/", "wl/js/");

    private ObservatoryBenchmark() {
    }

    public record Latency(int samples, double p50Millis, double p99Millis, double maxMillis) {
    }

    public record PageLoad(long steps, int languages, int layers, double ingestSeconds, double apiMillis,
            long apiBytes, long bucketEntries, long seriesEntries, long stateBytes, double firstPaintMillis) {
    }

    public record LiveLoad(int clients, long loadgenRecords, double seconds, long eventsPerClientMin,
            int droppedConnections, long maxLag) {
    }

    /** TrainSteps published one every {@code 1000 / rate} ms; latency = page receipt − the step's timestamp. */
    public static Latency latency(ClientConfig client, Path state, int events, double rate, Consumer<String> log)
            throws Exception {
        TopicProvisioner.ensureTopics(client, (short) 1);
        try (Observatory o = start(client, state, "bench-observatory-latency");
             Producer<byte[], byte[]> producer = producer(client)) {
            SyntheticRun run = new SyntheticRun("latency", 2, 2, 64, events, 1_000_000, 1);
            run.start(producer, Instant.now());
            ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong dropped = new AtomicLong();
            CompletableFuture<?> sse = listen(o, "latency", stop, dropped, line -> {
                JsonNode u = JSON.readTree(line);
                if ("train".equals(u.path("kind").asText())) {
                    latencies.add((double) (System.currentTimeMillis() - u.path("data").path("time").asLong()));
                }
            });
            Await.until(() -> o.eventClients() == 1, Duration.ofSeconds(30), "the page connected");
            // a first step reaches the page before timing starts: the app's start-up is not latency
            run.step(producer, 0, Instant.now());
            producer.flush();
            Await.until(() -> !latencies.isEmpty(), Duration.ofMinutes(2), "the warm-up step on the page");
            latencies.clear();
            long pause = Math.round(1000 / rate);
            for (int step = 1; step <= events; step++) {
                run.step(producer, step, Instant.now());
                producer.flush();
                Thread.sleep(pause); // the pace of a trainer's steps
            }
            Await.until(() -> latencies.size() >= events, Duration.ofSeconds(60), "every step on the page");
            stop.set(true);
            sse.cancel(true);
            List<Double> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            log.accept(String.format("latency: %d steps at %.0f/s", sorted.size(), rate));
            return new Latency(sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                    sorted.get(sorted.size() - 1));
        }
    }

    /** Publishes a {@code steps}-step run, waits until it is in the stores, times the page's API calls. */
    public static PageLoad pageLoad(ClientConfig client, Path state, long steps, int languages, int layers, int every,
            Consumer<String> log) throws Exception {
        TopicProvisioner.ensureTopics(client, (short) 1);
        String runId = "page-" + steps;
        Path dir = state.resolve(runId);
        try (Observatory o = start(client, dir, "bench-observatory-" + runId);
             Producer<byte[], byte[]> producer = producer(client)) {
            SyntheticRun run = new SyntheticRun(runId, languages, layers, 11008, steps, every, 7);
            long t0 = System.nanoTime();
            Instant start = Instant.now().minusMillis(steps * 500);
            run.start(producer, start);
            for (long s = 0; s < steps; s += 1000) {
                run.steps(producer, s, Math.min(steps, s + 1000), start, 500);
                log.accept(String.format("  %s: %d of %d steps published", runId, Math.min(steps, s + 1000), steps));
            }
            run.end(producer, steps - 1, Instant.now());
            producer.flush();
            Await.until(() -> lastStepAndEnded(o, runId, steps - 1), Duration.ofHours(2), "the run in the stores");
            double ingest = (System.nanoTime() - t0) / 1e9;
            // the page's first requests, in parallel as the browser sends them; best of three (a warm JVM)
            double best = Double.MAX_VALUE;
            long bytes = 0;
            for (int round = 0; round < 3; round++) {
                long t = System.nanoTime();
                List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
                HttpClient http = HttpClient.newHttpClient();
                calls.add(get(http, o.pageUrl() + "api/runs/" + runId));
                for (String p : PAGE_PREFIXES) {
                    boolean perLayer = p.startsWith("wl/") || p.startsWith("neurons/");
                    calls.add(get(http, o.pageUrl() + "api/runs/" + runId + "/series?prefix=" + p
                            + (perLayer ? "&fields=mean,count,last,lastX" : "")));
                }
                bytes = 0;
                for (var c : calls) {
                    bytes += c.get().body().length;
                }
                best = Math.min(best, (System.nanoTime() - t) / 1e6);
            }
            var buckets = o.streams().store(StoreQueryParameters.fromNameAndType(ObservatoryStores.BUCKETS,
                    QueryableStoreTypes.<String, byte[]>keyValueStore()));
            var series = o.streams().store(StoreQueryParameters.fromNameAndType(ObservatoryStores.SERIES,
                    QueryableStoreTypes.<String, Object>keyValueStore()));
            long stateBytes = size(dir);
            return new PageLoad(steps, languages, layers, ingest, best, bytes, count(buckets.all()),
                    count(series.all()), stateBytes, firstPaint(o, runId, log));
        }
    }

    /**
     * In headless Chromium: navigation start to every chart drawn, by the page's own mark
     * ({@code bf:charts-drawn}); best of three fresh browsers. -1 without Chromium.
     */
    private static double firstPaint(Observatory o, String runId, Consumer<String> log) throws Exception {
        if (!HeadlessChromium.available()) {
            log.accept("  first paint: not measured (no /usr/bin/chromium)");
            return -1;
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            try (HeadlessChromium page = new HeadlessChromium(o.pageUrl() + "#run=" + runId + "&live=0", 1400, 1800)) {
                page.waitFor("document.body.dataset.firstPaint", Duration.ofSeconds(120));
                double t = page.eval("performance.getEntriesByName('bf:charts-drawn')[0].startTime").asDouble();
                log.accept(String.format("  first paint in the browser: %.0f ms", t));
                best = Math.min(best, t);
            }
        }
        return best;
    }

    /** {@code clients} live pages (all runs) while the load generator runs {@code shape}. */
    public static LiveLoad liveLoad(ClientConfig client, Path state, int clients, LoadShape shape, Consumer<String> log)
            throws Exception {
        TopicProvisioner.ensureTopics(client, (short) 1);
        // the pages follow the loadgen run only, not what earlier measurements left on the topics (StartAtEnd)
        try (Observatory o = start(client, state, "bench-observatory-live");
             Producer<byte[], byte[]> producer = new KafkaProducer<>(TelemetryProducerConfig.of(client,
                     Duration.ofSeconds(60)), new ByteArraySerializer(), new ByteArraySerializer())) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong dropped = new AtomicLong();
            List<AtomicLong> received = new ArrayList<>();
            List<CompletableFuture<?>> pages = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                AtomicLong n = new AtomicLong();
                received.add(n);
                pages.add(listen(o, null, stop, dropped, line -> n.incrementAndGet()));
            }
            Await.until(() -> o.eventClients() == clients, Duration.ofSeconds(30), "every page connected");
            AtomicLong maxLag = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!stop.get()) {
                    maxLag.accumulateAndGet(lag(o), Math::max);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "lag-sampler");
            sampler.start();
            LoadGenerator.Result r = new LoadGenerator(shape).run(producer, log);
            Await.until(() -> lag(o) == 0, Duration.ofMinutes(5), "the observatory caught up");
            Thread.sleep(1000); // the pages read the last events
            stop.set(true);
            sampler.interrupt();
            long min = received.stream().mapToLong(AtomicLong::get).min().orElse(0);
            pages.forEach(p -> p.cancel(true));
            return new LiveLoad(clients, r.records(), r.seconds(), min, (int) dropped.get(), maxLag.get());
        }
    }

    private static Observatory start(ClientConfig client, Path state, String appId) {
        Properties props = StreamsDefaults.base(client.bootstrapServers(), appId, state.toString(), client.overrides());
        StartAtEnd.commit(client, appId, ObservatoryApp.topology(ObservatoryListener.NONE));
        Observatory o = Observatory.start(props, new InetSocketAddress("127.0.0.1", 0), Duration.ofMinutes(10));
        // an event stream is routed by Streams metadata, which exists once the app is RUNNING: a page would
        // retry (EventSource reconnects), the benchmark's one stream must not start earlier
        try {
            Await.until(() -> o.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING,
                    Duration.ofMinutes(2), "observatory app RUNNING");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return o;
    }

    private static long lag(Observatory o) {
        try {
            JsonNode h = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(o.pageUrl() + "api/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode app : h.path("apps")) {
                if ("observatory".equals(app.path("app").asText())) {
                    return app.path("lag").asLong();
                }
            }
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /** A page's event stream read line by line; an end or error before {@code stop} counts as a dropped connection. */
    private static CompletableFuture<?> listen(Observatory o, String run, AtomicBoolean stop, AtomicLong dropped,
            LineHandler onData) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(o.pageUrl() + "api/events" + (run == null ? "" : "?run=" + run)))
                .header("Accept", "text/event-stream").build();
        return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
            try (Stream<String> lines = r.body()) {
                lines.forEach(line -> {
                    if (line.startsWith("data: ")) {
                        try {
                            onData.accept(line.substring(6));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            }
            if (!stop.get()) {
                dropped.incrementAndGet();
            }
        }).exceptionally(e -> {
            if (!stop.get()) {
                dropped.incrementAndGet();
            }
            return null;
        });
    }

    @FunctionalInterface
    private interface LineHandler {
        void accept(String line) throws IOException;
    }

    private static boolean lastStepAndEnded(Observatory o, String runId, long last) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(o.pageUrl() + "api/runs/" + runId)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode run = JSON.readTree(r.body()).path("run");
            return r.statusCode() == 200 && run.path("lastStep").asLong() == last
                    && "completed".equals(run.path("state").asText());
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static CompletableFuture<HttpResponse<byte[]>> get(HttpClient http, String url) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Producer<byte[], byte[]> producer(ClientConfig client) {
        Properties props = client.properties(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long count(org.apache.kafka.streams.state.KeyValueIterator<String, ?> it) {
        long n = 0;
        try (it) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double percentile(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

}
