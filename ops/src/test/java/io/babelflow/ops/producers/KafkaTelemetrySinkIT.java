package io.babelflow.ops.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.TrainStep;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.ops.kafka.TopicReader;
import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telemetry is never lost: the broker goes away mid-run, the sink spools, and everything arrives once, in order. */
class KafkaTelemetrySinkIT {
    @TempDir
    Path dir;

    static TrainStep step(String run, long i) {
        return TrainStep.newBuilder().setRunId(run).setStep(i).setSequence(i).setTimestamp(Instant.now())
                .setTokens(128).setLearningRate(1e-3).setLoss(2.0).setLanguageLoss(Map.of("go", 2.0))
                .setLanguageTokens(Map.of("go", 128L)).setMixtureVersion(0).build();
    }

    private static List<Long> sequences(ClientConfig client, String run, int expected) {
        return TopicReader.read(client, Topics.TRAIN_STEPS, expected, Duration.ofSeconds(60)).stream()
                .filter(s -> s.getRunId().equals(run)).map(TrainStep::getSequence).toList();
    }

    private static KafkaTelemetrySink sink(ClientConfig client, Path spool, long queueBytes) {
        return new KafkaTelemetrySink(() -> new KafkaProducer<>(TelemetryProducerConfig.of(client),
                new ByteArraySerializer(), new ByteArraySerializer()), spool, queueBytes,
                KafkaTelemetrySink.DEFAULT_FLUSH_WAIT, Duration.ofSeconds(20));
    }

    @Test
    void brokerStoppedMidRunLosesAndDuplicatesNothing() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            int total = 3000;
            // a small queue, so the outage overflows it into the spool
            try (KafkaTelemetrySink sink = sink(client, dir.resolve("spool"), 64 * 512)) {
                for (int i = 0; i < 1000; i++) {
                    sink.emit(step("outage", i));
                }
                assertTrue(sink.awaitDelivered(Duration.ofSeconds(30)));
                kafka.stop();
                for (int i = 1000; i < 2000; i++) {
                    sink.emit(step("outage", i)); // training goes on while the broker is down
                }
                assertTrue(sink.spoolRecords() > 0, "events spilled to the spool during the outage");
                kafka.restart();
                for (int i = 2000; i < total; i++) {
                    sink.emit(step("outage", i));
                }
                assertTrue(sink.awaitDelivered(Duration.ofSeconds(60)), "delivered after the restart");
                assertEquals(total, sink.sent());
                assertEquals(0, sink.failed());
                assertEquals(0, sink.spoolRecords());
            }
            assertEquals(LongStream.range(0, total).boxed().toList(), sequences(client, "outage", total),
                    "every sequence number exactly once, in order");
        }
    }

    @Test
    void eventsUndeliveredAtCloseStayInTheSpoolAndAreReplayedOnTheNextStart() throws Exception {
        Path spool = dir.resolve("spool");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            kafka.stop();
            KafkaTelemetrySink first = new KafkaTelemetrySink(() -> new KafkaProducer<>(
                    TelemetryProducerConfig.of(client), new ByteArraySerializer(), new ByteArraySerializer()),
                    spool, 64 * 512, KafkaTelemetrySink.DEFAULT_FLUSH_WAIT, Duration.ofSeconds(2));
            for (int i = 0; i < 500; i++) {
                first.emit(step("restart", i));
            }
            first.close(); // broker still down: everything must be left in the spool
            assertEquals(0, first.sent());
            kafka.restart();
            try (KafkaTelemetrySink second = sink(client, spool, 1 << 20)) {
                for (int i = 500; i < 600; i++) {
                    second.emit(step("restart", i)); // a resumed run goes on behind the leftovers
                }
                assertTrue(second.awaitDelivered(Duration.ofSeconds(60)));
            }
            assertEquals(LongStream.range(0, 600).boxed().toList(), sequences(client, "restart", 600));
        }
    }
}
