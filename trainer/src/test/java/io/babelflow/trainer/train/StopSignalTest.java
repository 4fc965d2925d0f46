package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.RunEnded;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.trainer.FixtureCorpus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM makes a training JVM checkpoint at the next step boundary; the run then resumes where it stopped. */
class StopSignalTest {
    @Test
    void sigtermCheckpointsAndTheRunResumes(@TempDir Path tmp) throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        Path config = FixtureCorpus.tinyConfig(tmp.resolve("cfg"));
        Path run = tmp.resolve("run");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                SignalledRun.class.getName(), corpus.toString(), config.toString(), run.toString())
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.append(line).append('\n');
                if (line.equals("step 19")) {
                    child.toHandle().destroy(); // SIGTERM, leaving our end of the pipe open
                }
            }
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the trainer should exit after checkpointing");
        assertTrue(output.toString().contains("step 19"), "the child should have trained:\n" + output);

        List<SpecificRecord> events = TelemetryFile.readAll(run.resolve(Trainer.TELEMETRY_FILE));
        RunEnded ended = (RunEnded) events.get(events.size() - 1);
        assertEquals("interrupted", ended.getReason());
        long lastStep = ended.getLastStep();
        assertTrue(lastStep >= 19, "stopped after step " + lastStep);

        RunResult resumed = Trainer.run(TrainOptions.builder(corpus, run).resume(true).steps(lastStep + 4)
                .stopOnSignal(false).progress(p -> { }).build());
        assertEquals(lastStep + 1, resumed.firstStep());
        List<Long> steps = TelemetryFile.readAll(run.resolve(Trainer.TELEMETRY_FILE)).stream()
                .filter(TrainStep.class::isInstance).map(e -> ((TrainStep) e).getStep()).toList();
        assertEquals(lastStep + 4, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i, steps.get(i));
        }
    }
}
