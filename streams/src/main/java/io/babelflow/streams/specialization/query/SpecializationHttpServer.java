package io.babelflow.streams.specialization.query;

import static io.babelflow.streams.HttpJson.send;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only JSON API over {@link SpecializationQueries} on the JDK's HTTP server:
 * <pre>
 * GET /runs/{runId}/summary                                  current specialization summary of a run
 * GET /runs/{runId}/layers/{layer}/neurons                   language-specific neuron ids per language
 * GET /runs/{runId}/layers/{layer}/neurons/{neuron}/history  one neuron's per-language p per window
 * GET /runs/{runId}/stages                                   stage timeline of the run's new languages
 * </pre>
 * 404 for an unknown run or layer, 400 for a malformed path, 307 to the instance that owns the
 * run, 503 while the stores are not queryable (starting, rebalancing).
 */
public final class SpecializationHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(SpecializationHttpServer.class);
    private static final Pattern SUMMARY = Pattern.compile("/runs/([^/]+)/summary");
    private static final Pattern NEURONS = Pattern.compile("/runs/([^/]+)/layers/([^/]+)/neurons");
    private static final Pattern HISTORY = Pattern.compile("/runs/([^/]+)/layers/([^/]+)/neurons/([^/]+)/history");
    /** Longer run ids are refused rather than echoed back. */
    static final int MAX_RUN_ID = 256;

    /** A request the client must fix: answered 400 with a short reason that never echoes a long input. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
    private static final Pattern STAGES = Pattern.compile("/runs/([^/]+)/stages");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "specialization-http");
        t.setDaemon(true);
        return t;
    });
    private volatile SpecializationQueries queries;

    private SpecializationHttpServer(HttpServer server) {
        this.server = server;
    }

    /** Binds the port now (so its number is known before the Streams client is built); serves after {@link #start}. */
    public static SpecializationHttpServer bind(InetSocketAddress address) throws IOException {
        return new SpecializationHttpServer(HttpServer.create(address, 0));
    }

    public void start(SpecializationQueries source) {
        this.queries = source;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Host and port other instances and clients reach this one at. */
    public HostInfo hostInfo() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
        return new HostInfo(host, a.getPort());
    }

    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (BadRequest e) {
            send(exchange, 400, Map.of("error", e.getMessage()));
        } catch (IllegalArgumentException e) {
            send(exchange, 404, Map.of("error", e.getMessage()));
        } catch (InvalidStateStoreException e) {
            send(exchange, 503, Map.of("error", "stores not queryable right now: " + e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("query {} failed", exchange.getRequestURI(), e);
            send(exchange, 500, Map.of("error", String.valueOf(e)));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            send(exchange, 405, Map.of("error", "only GET"));
            return;
        }
        String path = exchange.getRequestURI().getRawPath();
        Matcher m;
        if ((m = SUMMARY.matcher(path)).matches()) {
            String run = decode(m.group(1));
            if (!redirected(exchange, run)) {
                reply(exchange, queries.summary(run), "no summary for run " + run);
            }
        } else if ((m = NEURONS.matcher(path)).matches()) {
            String run = decode(m.group(1));
            if (!redirected(exchange, run)) {
                int layer = index("layer", m.group(2));
                reply(exchange, queries.layerNeurons(run, layer), "no closed window for run " + run + " layer " + layer);
            }
        } else if ((m = HISTORY.matcher(path)).matches()) {
            String run = decode(m.group(1));
            if (!redirected(exchange, run)) {
                int layer = index("layer", m.group(2));
                List<SpecializationQueries.HistoryPoint> history =
                        queries.neuronHistory(run, layer, index("neuron", m.group(3)));
                reply(exchange, history.isEmpty() ? Optional.empty() : Optional.of(history),
                        "no history for run " + run + " layer " + layer);
            }
        } else if ((m = STAGES.matcher(path)).matches()) {
            String run = decode(m.group(1));
            if (!redirected(exchange, run)) {
                reply(exchange, queries.stages(run), "no stage change yet for run " + run);
            }
        } else {
            send(exchange, 404, Map.of("error", "unknown path " + abbreviated(path)));
        }
    }

    private boolean redirected(HttpExchange exchange, String runId) throws IOException {
        Optional<HostInfo> owner = queries.remoteOwner(runId);
        if (owner.isEmpty()) {
            return false;
        }
        String location = "http://" + owner.get().host() + ":" + owner.get().port() + exchange.getRequestURI();
        exchange.getResponseHeaders().add("Location", location);
        send(exchange, 307, Map.of("location", location));
        return true;
    }

    private void reply(HttpExchange exchange, Optional<?> body, String missing) throws IOException {
        if (body.isPresent()) {
            send(exchange, 200, body.get());
        } else {
            send(exchange, 404, Map.of("error", missing));
        }
    }

    /** A run id from the path; one longer than {@link #MAX_RUN_ID} is a bad request. */
    private static String decode(String segment) {
        String run = URLDecoder.decode(segment, StandardCharsets.UTF_8);
        if (run.length() > MAX_RUN_ID) {
            throw new BadRequest("run id longer than " + MAX_RUN_ID + " characters");
        }
        return run;
    }

    private static int index(String what, String segment) {
        try {
            int value = Integer.parseInt(segment);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest(what + " '" + abbreviated(segment) + "' is not a whole number from 0 to " + Integer.MAX_VALUE);
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
