package io.babelflow.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What Grafana needs of the shipped dashboards to import them cleanly and to keep links stable. */
class GrafanaDashboardsTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)");
    private static final Set<String> GRAFANA_BUILTINS = Set.of("__rate_interval", "__interval", "__range");

    @Test
    void theDashboardsAreShipped() {
        assertEquals(List.of("babelflow-health.json", "babelflow-run.json"),
                Dashboards.files().stream().map(f -> f.getFileName().toString()).toList());
    }

    @Test
    void dashboardUidsAreStableAndUnique() {
        List<String> uids = Dashboards.files().stream().map(f -> Dashboards.read(f).path("uid").asText()).toList();
        assertEquals(List.of("babelflow-health", "babelflow-run"), uids); // links and bookmarks use them
    }

    @Test
    void panelIdsAreUniqueWithinEachDashboard() {
        for (Path file : Dashboards.files()) {
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : Dashboards.read(file).path("panels")) {
                assertTrue(ids.add(p.path("id").asInt()), file + ": panel id " + p.path("id") + " twice");
            }
        }
    }

    @Test
    void everyPanelHasAUnitAndAQuery() {
        List<String> problems = new ArrayList<>();
        for (Path file : Dashboards.files()) {
            for (JsonNode p : Dashboards.panels(Dashboards.read(file))) {
                String where = file.getFileName() + " / " + p.path("title").asText();
                if (p.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
                    problems.add(where + ": no unit");
                }
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no query");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyQueryUsesTheDatasourceVariableAndDefinedVariablesOnly() {
        for (Path file : Dashboards.files()) {
            JsonNode d = Dashboards.read(file);
            Set<String> defined = new HashSet<>(GRAFANA_BUILTINS);
            JsonNode datasource = null;
            for (JsonNode v : d.path("templating").path("list")) {
                defined.add(v.path("name").asText());
                if ("datasource".equals(v.path("type").asText())) {
                    datasource = v;
                }
            }
            assertTrue(datasource != null && "prometheus".equals(datasource.path("query").asText()),
                    file + ": no Prometheus datasource variable");
            assertTrue(defined.contains("run"), file + ": no run variable");
            for (JsonNode p : Dashboards.panels(d)) {
                assertEquals("${" + datasource.path("name").asText() + "}", p.path("datasource").path("uid").asText(),
                        file + " / " + p.path("title").asText() + ": a fixed datasource");
                for (JsonNode t : p.path("targets")) {
                    assertEquals("${datasource}", t.path("datasource").path("uid").asText());
                    String expr = t.path("expr").asText();
                    assertFalse(expr.isBlank(), p.path("title").asText());
                    Matcher m = VARIABLE.matcher(expr);
                    while (m.find()) {
                        assertTrue(defined.contains(m.group(1)), file + ": " + expr + " uses undefined $" + m.group(1));
                    }
                }
            }
        }
    }

    @Test
    void theRunDashboardCoversTheIssuesPanels() {
        Set<String> metrics = new HashSet<>();
        Pattern name = Pattern.compile("babelflow_\\w+|jvm_\\w+");
        for (Dashboards.Query q : Dashboards.queries()) {
            Matcher m = name.matcher(q.expr());
            while (m.find()) {
                metrics.add(m.group());
            }
        }
        for (String required : List.of("babelflow_loss", "babelflow_mixture_weight", "babelflow_neurons_specific",
                "babelflow_neurons_transferring", "babelflow_working_language_share", "babelflow_stage",
                "babelflow_trainer_steps_per_second", "babelflow_telemetry_queue_events",
                "babelflow_telemetry_spool_events", "babelflow_telemetry_failed_events_total",
                "babelflow_streams_state", "babelflow_streams_lag_records", "babelflow_dead_letters_total",
                "babelflow_control_consumer_up")) {
            assertTrue(metrics.contains(required), required + " has no panel");
        }
    }
}
