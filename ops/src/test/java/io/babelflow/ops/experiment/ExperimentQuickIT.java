package io.babelflow.ops.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.StageChange;
import io.babelflow.ops.BabelFlow;
import io.babelflow.schemas.telemetry.TelemetryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both experiments' {@code --quick} grids end to end through the CLI, so the commands cannot rot: each
 * writes its report folder (summary tables with numbers, PNG plots, every run's telemetry, config and
 * live recording of what the Streams apps said), and a rerun of a finished grid trains nothing.
 */
class ExperimentQuickIT {
    private static final Pattern NUMBER = Pattern.compile("\\d+\\.\\d{3} ± \\d+\\.\\d{3}");

    @TempDir
    Path tmp;

    @Test
    void babelTowerQuick() throws IOException {
        Path out = tmp.resolve("bt");
        assertEquals(0, BabelFlow.commandLine().execute("experiment", "babel-tower", "--quick", "--out", out.toString(),
                "--corpus", tmp.resolve("code").toString()));
        String summary = checkReport(out, List.of("python-only", "static-seed1", "babel-tower-seed1"));
        assertTrue(summary.contains("## Tokens to target"), summary);
        assertTrue(Files.exists(out.resolve("plots/heldout-python.png")));
        assertTrue(Files.exists(out.resolve("plots/live-babel-tower-neurons.png")));
        // the apps' LAPE windows of the forks were recorded, keyed to the right runs
        for (String run : List.of("static-seed1", "babel-tower-seed1")) {
            List<NeuronSpecialization> neurons = LiveRecorder.read(out.resolve("runs/" + run + "/"
                    + LiveRecorder.NEURONS_FILE), NeuronSpecialization.class);
            assertFalse(neurons.isEmpty(), run);
            String runId = runId(out.resolve("runs/" + run));
            assertTrue(neurons.stream().allMatch(n -> n.getRunId().equals(runId)), run);
            assertTrue(neurons.stream().allMatch(n -> n.getWindowEnd() >= 40 && n.getWindowEnd() < 80), run);
            LiveRecorder.read(out.resolve("runs/" + run + "/" + LiveRecorder.STAGES_FILE), StageChange.class)
                    .forEach(c -> assertEquals(runId, c.getRunId()));
        }
        // rerunning a finished grid continues it: nothing to train, the same report again
        long telemetryBytes = Files.size(out.resolve("runs/static-seed1/telemetry.avro"));
        assertEquals(0, BabelFlow.commandLine().execute("experiment", "babel-tower", "--quick", "--out", out.toString(),
                "--corpus", tmp.resolve("code").toString()));
        assertEquals(telemetryBytes, Files.size(out.resolve("runs/static-seed1/telemetry.avro")));
    }

    @Test
    void chatFlowQuick() throws IOException {
        Path out = tmp.resolve("cf");
        assertEquals(0, BabelFlow.commandLine().execute("experiment", "chatflow", "--quick", "--out", out.toString(),
                "--corpus", tmp.resolve("zh-en").toString()));
        String summary = checkReport(out, List.of("pretrain", "abrupt-seed1", "schedule-seed1"));
        assertTrue(summary.contains("## Loss spike at the switch"), summary);
        for (String source : ChatFlowExperiment.SOURCES) {
            assertTrue(Files.size(out.resolve("plots/heldout-" + source + ".png")) > 0, source);
            assertTrue(summary.contains("| abrupt | " + source + " | "), summary);
        }
    }

    /** The report folder's common parts; returns summary.md. */
    private static String checkReport(Path out, List<String> runs) throws IOException {
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(NUMBER.matcher(summary).find(), summary);
        assertFalse(summary.contains("NaN"), summary);
        assertTrue(Files.readString(out.resolve("COMMAND.txt")).startsWith("babelflow experiment "));
        for (String run : runs) {
            Path dir = out.resolve("runs/" + run);
            assertFalse(TelemetryFile.readAll(dir.resolve("telemetry.avro")).isEmpty(), run);
            assertTrue(Files.exists(out.resolve("runs/configs/" + run + ".yaml")), run);
            assertTrue(Files.exists(dir.resolve(LiveRecorder.NEURONS_FILE)), run);
            assertTrue(Files.exists(dir.resolve(LiveRecorder.STAGES_FILE)), run);
        }
        try (Stream<Path> pngs = Files.list(out.resolve("plots"))) {
            assertTrue(pngs.allMatch(p -> p.toString().endsWith(".png") && size(p) > 1000));
        }
        return summary;
    }

    private static String runId(Path runDir) {
        return TelemetryFile.readAll(runDir.resolve("telemetry.avro")).stream()
                .filter(e -> e instanceof io.babelflow.events.RunStarted).map(e -> ((io.babelflow.events.RunStarted) e)
                        .getRunId().toString()).findFirst().orElseThrow();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
