package io.babelflow.ops.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.producers.control.MixtureControl;
import io.babelflow.producers.control.MixtureTarget;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class MixtureControlIT {

    /** Stands in for the trainer's sampler: remembers what it was given. */
    static final class RecordingTarget implements MixtureTarget {
        final CopyOnWriteArrayList<Long> versions = new CopyOnWriteArrayList<>();
        volatile long version;
        volatile Map<String, Double> weights = Map.of("python", 1.0, "go", 0.0);

        @Override
        public Set<String> languages() {
            return Set.of("python", "go");
        }

        @Override
        public long version() {
            return version;
        }

        @Override
        public java.util.Optional<String> apply(long v, Map<String, Double> w) {
            versions.add(v);
            version = v;
            weights = w;
            return java.util.Optional.empty();
        }
    }

    private static MixtureUpdate update(String run, long version, Map<String, Double> weights) {
        return MixtureUpdate.newBuilder().setRunId(run).setVersion(version).setWeights(weights).setPolicy("test")
                .setReason("test").setBasedOnStep(version * 10).setCreatedAt(Instant.now()).build();
    }

    @Test
    void appliesValidUpdatesOfItsRunAndRejectsInvalidOnes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ClientConfig client = ClientConfig.of(kafka.bootstrapServers());
            TopicProvisioner.ensureTopics(client, (short) 1);
            var serde = Topics.MIXTURE_CONTROL.valueSerde().serializer();
            try (var producer = new KafkaProducer<>(client.properties(), new StringSerializer(), new ByteArraySerializer())) {
                // present before the trainer starts: read on start
                producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-a",
                        serde.serialize("", update("run-a", 1, Map.of("python", 0.8, "go", 0.2))))).get();
                RecordingTarget target = new RecordingTarget();
                try (MixtureControl control = new MixtureControl(client, "run-a", target)) {
                    assertTrue(control.awaitCaughtUp(Duration.ofSeconds(30)));
                    assertEquals(1, target.version);
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-b",
                            serde.serialize("", update("run-b", 7, Map.of("python", 0.5, "go", 0.5)))));
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-a",
                            serde.serialize("", update("run-a", 2, Map.of("python", Double.NaN, "go", 0.5)))));
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-a",
                            serde.serialize("", update("run-a", 3, Map.of("rust", 1.0)))));
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-a",
                            "garbage".getBytes()));
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-a",
                            serde.serialize("", update("run-a", 4, Map.of("python", 0.6, "go", 0.4)))));
                    producer.send(new ProducerRecord<>(Topics.MIXTURE_CONTROL.name(), "run-a",
                            serde.serialize("", update("run-a", 4, Map.of("python", 0.1, "go", 0.9))))).get();
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (control.rejected() < 4 && System.currentTimeMillis() < deadline) {
                        Thread.sleep(50);
                    }
                    assertEquals(java.util.List.of(1L, 4L), target.versions);
                    assertEquals(Map.of("python", 0.6, "go", 0.4), target.weights, "last good weights kept");
                    assertEquals(4, control.rejected(), "NaN, unknown language, garbage, repeated version");
                }
                // a resumed trainer already on version 4 skips the old ones without complaint
                RecordingTarget resumed = new RecordingTarget();
                resumed.version = 4;
                try (MixtureControl control = new MixtureControl(client, "run-a", resumed)) {
                    assertTrue(control.awaitCaughtUp(Duration.ofSeconds(30)));
                    assertEquals(0, control.applied());
                }
            }
        }
    }
}
