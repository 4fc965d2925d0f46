package io.babelflow.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.observatory.LayerWindow;
import io.babelflow.streams.observatory.ObservatoryUpdate;
import io.babelflow.streams.observatory.RunView;
import io.babelflow.streams.observatory.TimelineEvent;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract's names and labels, and a finished run's series leaving after the retention. */
class ObservatoryMetricsTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    @Test
    void updatesBecomeTheContractsSeries() throws Exception {
        try (ObservatoryMetrics metrics = new ObservatoryMetrics(registry, Duration.ofHours(1))) {
            metrics.onUpdate(new ObservatoryUpdate("r1", "run", 0, running("r1")));
            metrics.onUpdate(train("r1", 7));
            metrics.onUpdate(train("r1", 8));
            metrics.onUpdate(new ObservatoryUpdate("r1", "heldout", 8, Map.of("loss", Map.of("go", 2.5))));
            metrics.onUpdate(new ObservatoryUpdate("r1", "neurons", 9, Map.of("layer", 3,
                    "window", new LayerWindow(9, 256, Map.of("go", 12), Map.of("go", 4), Map.of()))));
            metrics.onUpdate(new ObservatoryUpdate("r1", "stage", 9, new TimelineEvent("stage", 9, 0, "go", null,
                    "TRANSITION", 0, null, Map.of(), "why")));
            metrics.onUpdate(new ObservatoryUpdate(null, "dead-letter", 0, Map.of("reason", "invalid TrainStep",
                    "topic", "babelflow.train-steps", "count", 1L)));
            String text = scrape();
            assertTrue(text.contains("babelflow_run_info{policy=\"exp3\",run=\"r1\",state=\"running\"} 1.0"), text);
            assertTrue(text.contains("babelflow_run_step{run=\"r1\"} 8.0"), text);
            assertTrue(text.contains("babelflow_loss{language=\"all\",run=\"r1\",split=\"train\"} 2.0"), text);
            assertTrue(text.contains("babelflow_loss{language=\"go\",run=\"r1\",split=\"heldout\"} 2.5"), text);
            assertTrue(text.contains("babelflow_tokens_total{language=\"go\",run=\"r1\"} 80.0"), text);
            assertTrue(text.contains("babelflow_neurons_specific{language=\"go\",layer=\"3\",run=\"r1\"} 12.0"), text);
            assertTrue(text.contains("babelflow_stage{language=\"go\",run=\"r1\",stage=\"TRANSITION\"} 1.0"), text);
            assertTrue(text.contains("babelflow_stage{language=\"go\",run=\"r1\",stage=\"TRANSLATION\"} 0.0"), text);
            assertTrue(text.contains("babelflow_dead_letters_total{reason=\"invalid TrainStep\",topic=\"babelflow.train-steps\"} 1.0"), text);
        }
    }

    @Test
    void aFinishedRunsSeriesLeaveAfterTheRetention() throws Exception {
        try (ObservatoryMetrics metrics = new ObservatoryMetrics(registry, Duration.ofMillis(50))) {
            metrics.onUpdate(new ObservatoryUpdate("r2", "run", 0, running("r2")));
            metrics.onUpdate(train("r2", 1));
            RunView ended = new RunView("r2", "exp3", List.of(), 2, "completed", 1, 0, 1, 2, "completed", 1, 2, 0, 40, 0,
                    Map.of(), 0, null);
            metrics.onUpdate(new ObservatoryUpdate("r2", "run", 1, ended));
            long deadline = System.currentTimeMillis() + 10_000;
            while (scrape().contains("run=\"r2\"") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // the retention timer runs on its own thread
            }
            assertFalse(scrape().contains("run=\"r2\""), scrape());
        }
    }

    private static RunView running(String run) {
        return new RunView(run, "exp3", List.of(), 2, "running", 1, 0, 1, 0, null, 0, 0, 0, 0, 0, Map.of(), 0, null);
    }

    private static ObservatoryUpdate train(String run, long step) {
        return new ObservatoryUpdate(run, "train", step, Map.of("time", 1000L * step, "tokens", 100L, "loss", 2.0,
                "languageLoss", Map.of("go", 2.2), "languageTokens", Map.of("go", 40L), "mixture", Map.of("go", 0.4),
                "stepsPerSecond", 1.5));
    }

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
