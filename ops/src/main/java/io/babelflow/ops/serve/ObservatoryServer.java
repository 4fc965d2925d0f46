package io.babelflow.ops.serve;

import static io.babelflow.streams.HttpJson.send;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.babelflow.streams.JsonSerde;
import io.babelflow.streams.observatory.Bucket;
import io.babelflow.streams.observatory.ObservatoryQueries;
import io.babelflow.streams.observatory.RunView;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observatory's one HTTP server (JDK HttpServer):
 * <pre>
 * GET /                          the live page (static resources, uPlot from its webjar)
 * GET /api/runs                  every run on every instance
 * GET /api/runs/{run}            the run, its mixture and stage events, newest neuron window per layer
 * GET /api/runs/{run}/series?prefix=loss/&amp;fields=mean,count   its downsampled series, columnar
 * GET /api/health                Streams apps' state and lag, dead letters by reason, trainer telemetry
 * GET /api/events?run=A&amp;run=B    server-sent events with ids; Last-Event-ID resumes; any instance's runs
 * GET /metrics                   Prometheus exposition
 * </pre>
 * A run owned by another instance is fetched from it ({@code ?local=1} there); 400 for malformed
 * input, 404 for an unknown run or path, 503 while the stores are not queryable.
 */
public final class ObservatoryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObservatoryServer.class);
    private static final Pattern RUN = Pattern.compile("/api/runs/([^/]+)");
    private static final Pattern SERIES = Pattern.compile("/api/runs/([^/]+)/series");
    private static final int MAX_EVENT_CLIENTS = 64;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "observatory-http");
        t.setDaemon(true);
        return t;
    });
    private final ObjectMapper json = JsonSerde.MAPPER;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final java.util.concurrent.atomic.AtomicInteger eventClients = new java.util.concurrent.atomic.AtomicInteger();
    private volatile ObservatoryQueries queries;
    private volatile Supplier<Map<String, Object>> health = Map::of;
    private volatile EventStreams events;

    private ObservatoryServer(HttpServer server) {
        this.server = server;
    }

    /** Binds now, so the address can become the Streams app's {@code application.server}; serves after {@link #start}. */
    public static ObservatoryServer bind(InetSocketAddress address) throws IOException {
        return new ObservatoryServer(HttpServer.create(address, 64));
    }

    public void start(ObservatoryQueries source, EventHub events, PrometheusRegistry registry,
            Supplier<Map<String, Object>> healthSource) {
        this.queries = source;
        this.events = new EventStreams(source, events, client, executor);
        this.health = healthSource;
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public HostInfo hostInfo() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
        return new HostInfo(host, a.getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int eventClients() {
        return eventClients.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, Map.of("error", "only GET"));
                return;
            }
            route(exchange);
        } catch (NotFound e) {
            send(exchange, 404, Map.of("error", e.getMessage()));
        } catch (BadRequest e) {
            send(exchange, 400, Map.of("error", e.getMessage()));
        } catch (InvalidStateStoreException e) {
            send(exchange, 503, Map.of("error", "stores not queryable right now: " + e.getMessage()));
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("request {} failed", exchange.getRequestURI(), e);
            send(exchange, 500, Map.of("error", String.valueOf(e)));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getRawPath();
        Query q = Query.parse(exchange.getRequestURI().getRawQuery());
        Matcher m;
        if (path.equals("/") || path.startsWith("/static/")) {
            StaticResources.serve(exchange, path);
        } else if (path.equals("/api/runs")) {
            send(exchange, 200, runs(q.local()));
        } else if (path.equals("/api/health")) {
            send(exchange, 200, health(q.local()));
        } else if (path.equals("/api/events")) {
            events(exchange, q);
        } else if ((m = SERIES.matcher(path)).matches()) {
            String run = decode(m.group(1));
            String prefix = q.one("prefix", "");
            List<String> fields = fields(q.one("fields", ""));
            if (!forwarded(exchange, run, q)) {
                requireRun(run);
                send(exchange, 200, queries.series(run, prefix).stream().map(s -> columns(s, fields)).toList());
            }
        } else if ((m = RUN.matcher(path)).matches()) {
            String run = decode(m.group(1));
            if (!forwarded(exchange, run, q)) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("run", requireRun(run));
                body.put("events", queries.events(run));
                body.put("layers", queries.layers(run));
                send(exchange, 200, body);
            }
        } else {
            send(exchange, 404, Map.of("error", "unknown path " + path));
        }
    }

    /** This instance's health, with dead letters counted by whichever instance owns their partition. */
    private Map<String, Object> health(boolean local) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>(health.get());
        Map<String, Map<String, Long>> dead = new java.util.TreeMap<>(queries.deadLetters());
        if (!local) {
            for (HostInfo other : queries.otherInstances()) {
                var remote = json.readTree(get(other, "/api/health?local=1")).path("deadLetters");
                remote.fields().forEachRemaining(reason -> reason.getValue().fields().forEachRemaining(topic ->
                        dead.computeIfAbsent(reason.getKey(), k -> new java.util.TreeMap<>())
                                .merge(topic.getKey(), topic.getValue().asLong(), Long::sum)));
            }
        }
        body.put("deadLetters", dead);
        return body;
    }

    private RunView requireRun(String run) {
        return queries.run(run).orElseThrow(() -> new NotFound("no run " + run));
    }

    /** This instance's runs and, unless {@code local}, every other instance's, newest first. */
    private List<RunView> runs(boolean local) throws IOException, InterruptedException {
        List<RunView> all = new ArrayList<>(queries.localRuns());
        if (!local) {
            for (HostInfo other : queries.otherInstances()) {
                String body = get(other, "/api/runs?local=1");
                all.addAll(List.of(json.readValue(body, RunView[].class)));
            }
        }
        all.sort((a, b) -> Long.compare(b.startedAt(), a.startedAt()));
        return all;
    }

    private boolean forwarded(HttpExchange exchange, String run, Query q) throws IOException, InterruptedException {
        if (q.local()) {
            return false;
        }
        Optional<HostInfo> owner = queries.remoteOwner(run);
        if (owner.isEmpty()) {
            return false;
        }
        String raw = exchange.getRequestURI().getRawQuery();
        String body = get(owner.get(), exchange.getRequestURI().getRawPath() + "?" + (raw == null ? "" : raw + "&") + "local=1");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return true;
    }

    private String get(HostInfo host, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + host.host() + ":"
                + host.port() + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            throw new NotFound(json.readTree(r.body()).path("error").asText("not found"));
        }
        if (r.statusCode() != 200) {
            throw new InvalidStateStoreException("instance " + host + " answered " + r.statusCode());
        }
        return r.body();
    }

    /** Server-sent events of the runs asked for, from whichever instance owns them ({@link EventStreams}). */
    private void events(HttpExchange exchange, Query q) throws IOException, InterruptedException {
        String header = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        String given = header != null ? header : q.one("lastEventId", null);
        if (eventClients.incrementAndGet() > MAX_EVENT_CLIENTS) {
            eventClients.decrementAndGet();
            send(exchange, 503, Map.of("error", "more than " + MAX_EVENT_CLIENTS + " live pages"));
            return;
        }
        try {
            events.serve(exchange, q.all("run"), q.local(), given);
        } finally {
            eventClients.decrementAndGet();
        }
    }

    private static final List<String> COLUMNS = List.of("min", "max", "mean", "last", "lastX", "count", "nonFinite");

    /** {@code fields=mean,count}: the columns a chart needs (a heatmap reads means only); all when empty. */
    private static List<String> fields(String given) {
        if (given.isEmpty()) {
            return COLUMNS;
        }
        List<String> asked = List.of(given.split(","));
        for (String f : asked) {
            if (!COLUMNS.contains(f)) {
                throw new BadRequest("fields: unknown column '" + f + "'; known: " + String.join(",", COLUMNS));
            }
        }
        return asked;
    }

    /** A series as parallel arrays of the asked columns; NaN and infinities become null (JSON has neither). */
    static Map<String, Object> columns(ObservatoryQueries.Series s, List<String> fields) {
        int n = s.buckets().size();
        List<Long> x = new ArrayList<>(n);
        List<Long> lastX = new ArrayList<>(n);
        List<Long> count = new ArrayList<>(n);
        List<Long> nonFinite = new ArrayList<>(n);
        List<Double> min = new ArrayList<>(n);
        List<Double> max = new ArrayList<>(n);
        List<Double> mean = new ArrayList<>(n);
        List<Double> last = new ArrayList<>(n);
        for (Bucket b : s.buckets()) {
            x.add(b.start());
            lastX.add(b.lastX());
            count.add(b.count());
            nonFinite.add(b.nonFinite());
            min.add(finite(b.min()));
            max.add(finite(b.max()));
            mean.add(finite(b.mean()));
            last.add(finite(b.last()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("width", s.width());
        m.put("x", x);
        Map<String, List<?>> all = Map.of("min", min, "max", max, "mean", mean, "last", last, "lastX", lastX,
                "count", count, "nonFinite", nonFinite);
        fields.forEach(f -> m.put(f, all.get(f)));
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
