package io.babelflow.ops.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The page's files from the class path: ours under {@code page/}, uPlot from its webjar. */
final class StaticResources {
    private static final String PAGE = "/io/babelflow/ops/serve/page/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
    private static final Map<String, String> FILES = Map.of(
            "/", PAGE + "index.html",
            "/static/app.js", PAGE + "app.js",
            "/static/charts.js", PAGE + "charts.js",
            "/static/series.js", PAGE + "series.js",
            "/static/style.css", PAGE + "style.css",
            "/static/uplot.js", UPLOT + "uPlot.iife.min.js",
            "/static/uplot.css", UPLOT + "uPlot.min.css");

    private StaticResources() {
    }

    /** The webjar's version from its Maven metadata, so the parent pom stays the one place that pins it. */
    private static String webjarVersion(String artifact) {
        try (InputStream in = StaticResources.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "missing");
        } catch (IOException e) {
            return "missing";
        }
    }

    static void serve(HttpExchange exchange, String path) throws IOException {
        String resource = FILES.get(path);
        InputStream in = resource == null ? null : open(resource);
        if (in == null) {
            byte[] body = ("{\"error\":\"no such file " + path.replace("\"", "") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            return;
        }
        byte[] body;
        try (in) {
            body = in.readAllBytes();
        }
        exchange.getResponseHeaders().set("Content-Type", type(resource));
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The page's own files come from {@code -Dbabelflow.page.dir=DIR} when set: edit and reload while developing. */
    private static InputStream open(String resource) throws IOException {
        String dir = System.getProperty("babelflow.page.dir");
        if (dir != null && resource.startsWith(PAGE)) {
            java.nio.file.Path file = java.nio.file.Path.of(dir, resource.substring(PAGE.length()));
            return java.nio.file.Files.exists(file) ? java.nio.file.Files.newInputStream(file) : null;
        }
        return StaticResources.class.getResourceAsStream(resource);
    }

    private static String type(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (resource.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        return "text/css; charset=utf-8";
    }
}
