package io.babelflow.ops.bench;

import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.ClientConfig;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Broker load beside a measurement: a 7B-shaped trainer (32 layers x 11008 neurons x 8 languages,
 * one rank, a 22.5 MB activation snapshot per step) paced to a mean rate, on its own thread until
 * closed. Real snapshots come in bursts, and so does this.
 */
public final class BackgroundLoad implements AutoCloseable {
    private static final LoadShape SEVEN_B = new LoadShape("background-load", 32, 11008, 8, 1, 0, 1, 1, 5);

    private final Thread thread;
    private final KafkaProducer<byte[], byte[]> producer;

    private BackgroundLoad(Thread thread, KafkaProducer<byte[], byte[]> producer) {
        this.thread = thread;
        this.producer = producer;
    }

    /** Starts the load, or does nothing for {@code megabytesPerSecond} 0. */
    public static AutoCloseable start(ClientConfig client, double megabytesPerSecond) {
        if (megabytesPerSecond <= 0) {
            return () -> { };
        }
        double stepsPerSecond = megabytesPerSecond * 1e6 / (SEVEN_B.activationPayloadBytes() * SEVEN_B.layers());
        LoadShape shape = new LoadShape("background-load-" + System.currentTimeMillis(), SEVEN_B.layers(),
                SEVEN_B.neurons(), SEVEN_B.languages(), 1, stepsPerSecond, Long.MAX_VALUE / 2, 1, 5);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TelemetryProducerConfig.of(client,
                Duration.ofSeconds(60)), new ByteArraySerializer(), new ByteArraySerializer());
        Thread thread = new Thread(() -> {
            try {
                new LoadGenerator(shape).run(producer, line -> { });
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // closed
            }
        }, "background-load");
        thread.setDaemon(true);
        thread.start();
        return new BackgroundLoad(thread, producer);
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(10_000);
        producer.close(Duration.ofSeconds(5));
    }
}
