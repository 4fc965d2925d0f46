package io.babelflow.ops.cli;

import io.babelflow.producers.bridge.JsonlPublisher;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The JSON-lines bridge: telemetry from trainers written in any language. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish telemetry events given as JSON lines (one event per line) as Avro to Kafka.",
                "Each line is {\"type\": \"TrainStep\", ...fields of that Avro schema...}; see the README.",
                "Bad lines are reported on stderr by line number and skipped; the rest is published.",
                "When Kafka does not answer within 10 s it stops and reports the lines left unpublished.",
                "Exit code 0 when every line was published, 2 when any was rejected."})
public final class PublishCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--jsonl", required = true, paramLabel = "FILE|-",
            description = "JSON-lines file to read, or - for standard input.")
    String jsonl;

    @Override
    public Integer call() throws IOException {
        BufferedReader in;
        if (jsonl.equals("-")) {
            in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        } else {
            Path file = Path.of(jsonl);
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("--jsonl " + file + " is not a readable file");
            }
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }
        JsonlPublisher.Result result;
        try (in; var producer = new KafkaProducer<>(TelemetryProducerConfig.of(kafka.clientConfig(),
                java.time.Duration.ofSeconds(10)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            result = JsonlPublisher.publish(in, producer, spec.commandLine().getErr());
        }
        spec.commandLine().getOut().printf("%d lines: %d events published, %d rejected%n", result.lines(),
                result.published(), result.rejected());
        spec.commandLine().getOut().flush();
        return result.rejected() == 0 ? 0 : 2;
    }
}
