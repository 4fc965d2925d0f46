package io.babelflow.ops.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The shipped Grafana dashboards (ops/grafana/dashboards), read as JSON. */
final class Dashboards {
    static final Path DIR = Path.of("grafana", "dashboards"); // tests run in the ops module's folder

    /** One PromQL expression of one panel. */
    record Query(String dashboard, String panel, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + ": " + expr;
        }
    }

    private Dashboards() {
    }

    static List<Path> files() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel of a dashboard, rows' nested panels included; rows themselves are not panels. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if (!"row".equals(p.path("type").asText())) {
                out.add(p);
            }
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    static List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (Path file : files()) {
            JsonNode d = read(file);
            for (JsonNode p : panels(d)) {
                for (JsonNode t : p.path("targets")) {
                    out.add(new Query(d.path("uid").asText(), p.path("title").asText(), t.path("expr").asText()));
                }
            }
        }
        return out;
    }
}
