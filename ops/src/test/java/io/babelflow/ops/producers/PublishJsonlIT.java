package io.babelflow.ops.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.EvalResult;
import io.babelflow.events.TrainStep;
import io.babelflow.ops.BabelFlow;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.kafka.TopicReader;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The JSON-lines bridge publishes the valid lines and names the malformed ones by line number. */
class PublishJsonlIT {
    @TempDir
    Path dir;

    @Test
    void validLinesArePublishedAndBadOnesReportedByLine() throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.write(file, List.of(
                "{\"type\": \"TrainStep\", \"runId\": \"py\", \"step\": 0, \"sequence\": 0, \"timestamp\": 0, \"tokens\": 64,"
                        + " \"learningRate\": 0.001, \"loss\": 3.1, \"languageLoss\": {\"en\": 3.1},"
                        + " \"languageTokens\": {\"en\": 64}, \"mixtureVersion\": 0}",
                "{\"type\": \"TrainStep\", \"runId\": \"py\", \"step\": 1}",
                "",
                "{\"type\": \"EvalResult\", \"runId\": \"py\", \"sequence\": 1, \"step\": 1, \"timestamp\": 5,"
                        + " \"languageLoss\": {\"en\": 2.9}, \"languageTokens\": {\"en\": 512}}",
                "this is not json",
                "{\"type\": \"TrainStep\", \"runId\": \"py\", \"step\": 2, \"sequence\": 2, \"timestamp\": 9, \"tokens\": 64,"
                        + " \"learningRate\": 0.001, \"loss\": NaN, \"languageLoss\": {\"en\": NaN},"
                        + " \"languageTokens\": {\"en\": 64}, \"mixtureVersion\": 0}"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = BabelFlow.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            int rc = cli.execute("publish", "--jsonl", file.toString(), "--bootstrap-servers", kafka.bootstrapServers());

            assertEquals(2, rc, "a rejected line makes the exit code say so");
            assertTrue(err.toString().contains("line 2: missing field \"sequence\""), err.toString());
            assertTrue(err.toString().contains("line 5: not JSON"), err.toString());
            assertTrue(out.toString().contains("6 lines: 3 events published, 2 rejected"), out.toString());

            List<TrainStep> steps = TopicReader.read(client, Topics.TRAIN_STEPS, 2, Duration.ofSeconds(30));
            assertEquals(List.of(0L, 2L), steps.stream().map(TrainStep::getStep).toList());
            assertTrue(Double.isNaN(steps.get(1).getLoss()));
            List<EvalResult> evals = TopicReader.read(client, Topics.EVAL_RESULTS, 1, Duration.ofSeconds(30));
            assertEquals(2.9, evals.get(0).getLanguageLoss().get("en"));
        }
    }
}
