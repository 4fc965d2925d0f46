package io.babelflow.ops.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Serves a registry on http://127.0.0.1:PORT/metrics for Prometheus, with the JVM's own metrics. */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    public static MetricsServer start(int port, PrometheusRegistry registry) {
        JvmMetrics.builder().register(registry);
        try {
            return new MetricsServer(HTTPServer.builder().hostname("127.0.0.1").port(port).registry(registry)
                    .buildAndStart());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.stop();
    }
}
