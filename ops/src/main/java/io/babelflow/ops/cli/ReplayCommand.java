package io.babelflow.ops.cli;

import io.babelflow.producers.replay.RunReplayer;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Publishes a recorded run to Kafka with its original sequence numbers. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Publish a recorded run (RUN_DIR/telemetry.avro, or a spool segment) to Kafka with its "
                + "original run id and sequence numbers, to analyse it again with new Streams logic or a new policy.")
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "RUNFILE", description = "Telemetry file, or a run folder holding telemetry.avro.")
    Path runFile;

    @Override
    public Integer call() {
        Path file = Files.isDirectory(runFile) ? runFile.resolve("telemetry.avro") : runFile;
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("no telemetry file at " + file);
        }
        RunReplayer.Result result;
        try (var producer = new KafkaProducer<>(TelemetryProducerConfig.of(kafka.clientConfig(),
                java.time.Duration.ofSeconds(60)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            result = RunReplayer.replay(file, producer, n -> System.err.printf("... %d events%n", n));
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw new InvalidInputException(file + " is not a BabelFlow telemetry file: " + e.getMessage(), e);
        }
        System.out.printf("%s: %d events read, %d published, %d failed%s%n", file, result.events(), result.published(),
                result.failed(), result.unreadableTailBytes() > 0
                        ? ", last " + result.unreadableTailBytes() + " bytes unreadable (file cut short)" : "");
        return result.failed() == 0 ? 0 : 1;
    }
}
