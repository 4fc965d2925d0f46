package io.babelflow.ops.serve;

import io.babelflow.ops.metrics.StreamsClientMetrics;
import io.babelflow.ops.metrics.StreamsMetricsCollector;
import io.babelflow.streams.observatory.ObservatoryApp;
import io.babelflow.streams.observatory.ObservatoryListener;
import io.babelflow.streams.observatory.ObservatoryQueries;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code babelflow serve} as an object: the observatory Streams app, its HTTP server (page, JSON API,
 * server-sent events, {@code /metrics}) and the run metrics. The demo runs one in-process; other
 * Streams apps of the process can be shown on the health panel with {@link #watch}.
 */
public final class Observatory implements AutoCloseable {
    /** Updates the page can miss and still catch up on after reconnecting. */
    private static final int EVENTS_KEPT = 20_000;

    private final ObservatoryApp app;
    private final ObservatoryServer server;
    private final ObservatoryMetrics metrics;
    private final PrometheusRegistry registry;
    private final Map<String, KafkaStreams> watched = new java.util.concurrent.ConcurrentHashMap<>();

    private Observatory(ObservatoryApp app, ObservatoryServer server, ObservatoryMetrics metrics,
            PrometheusRegistry registry) {
        this.app = app;
        this.server = server;
        this.metrics = metrics;
        this.registry = registry;
        watch("observatory", app.streams());
    }

    /**
     * Binds {@code http} (port 0 picks a free one), starts the app with that address as its
     * {@code application.server}, and serves. {@code retention}: how long a finished run's metric
     * series stay.
     */
    public static Observatory start(Properties streamsConfig, InetSocketAddress http, Duration retention) {
        ObservatoryServer server;
        try {
            server = ObservatoryServer.bind(http);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + http + ": " + e.getMessage(), e);
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        ObservatoryMetrics metrics = new ObservatoryMetrics(registry, retention);
        EventHub hub = new EventHub(EVENTS_KEPT);
        ObservatoryListener both = u -> {
            hub.onUpdate(u);
            metrics.onUpdate(u);
        };
        Properties props = new Properties();
        props.putAll(streamsConfig);
        props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, server.hostInfo().host() + ":" + server.hostInfo().port());
        ObservatoryApp app;
        try {
            app = ObservatoryApp.start(props, both);
        } catch (RuntimeException e) {
            server.close();
            metrics.close();
            throw e;
        }
        Observatory o = new Observatory(app, server, metrics, registry);
        server.start(ObservatoryQueries.of(app.streams(), server.hostInfo()), hub, registry, o::health);
        return o;
    }

    /** Shows another Streams app of this process (state, lag) on the health panel and in /metrics. */
    public Observatory watch(String name, KafkaStreams streams) {
        if (watched.put(name, streams) == null) {
            StreamsMetricsCollector.register(registry, name, streams); // babelflow_streams_*{app=name}
        }
        return this;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public KafkaStreams streams() {
        return app.streams();
    }

    public int port() {
        return server.port();
    }

    public String pageUrl() {
        return "http://127.0.0.1:" + server.port() + "/";
    }

    public String metricsUrl() {
        return "http://127.0.0.1:" + server.port() + "/metrics";
    }

    public int eventClients() {
        return server.eventClients();
    }

    public void awaitStop() throws InterruptedException {
        app.awaitStop();
    }

    private Map<String, Object> health() {
        List<Map<String, Object>> apps = new ArrayList<>();
        watched.forEach((name, streams) -> {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("app", name);
            a.put("state", streams.state().name());
            a.put("lag", lag(streams));
            apps.add(a);
        });
        apps.sort((x, y) -> String.valueOf(x.get("app")).compareTo(String.valueOf(y.get("app"))));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apps", apps);
        body.put("telemetry", telemetry());
        body.put("pages", server.eventClients());
        return body;
    }

    /** Records the app's consumers are behind, summed over its input topics. */
    static long lag(KafkaStreams streams) {
        return Math.round(StreamsClientMetrics.from(streams.metrics()).lagRecords().values().stream()
                .mapToDouble(Double::doubleValue).sum());
    }

    /** The trainer's telemetry sink figures when it shares this process (the demo), by metric and run. */
    private Map<String, Double> telemetry() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (MetricSnapshot s : registry.scrape(name -> name.startsWith("babelflow_telemetry_"))) {
            String name = s.getMetadata().getName().substring("babelflow_telemetry_".length());
            if (s instanceof GaugeSnapshot g) {
                g.getDataPoints().forEach(p -> out.merge(name, p.getValue(), Double::sum));
            } else if (s instanceof CounterSnapshot c) {
                c.getDataPoints().forEach(p -> out.merge(name, p.getValue(), Double::sum));
            }
        }
        return out;
    }

    @Override
    public void close() {
        app.close();
        server.close();
        metrics.close();
    }
}
