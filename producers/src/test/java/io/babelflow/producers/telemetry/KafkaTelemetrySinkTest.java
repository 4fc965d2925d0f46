package io.babelflow.producers.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.EvalResult;
import io.babelflow.schemas.Topics;
import io.babelflow.schemas.telemetry.TelemetryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink's retry, spill, reorder and rejected paths, driven step by step with Kafka's MockProducer. */
class KafkaTelemetrySinkTest {
    private static final long MiB = 1 << 20;

    @TempDir
    Path dir;

    /**
     * A producer the test completes by hand; like KafkaProducer, close(0) fails what it still holds,
     * and flush() acknowledges everything only while the broker is up.
     */
    final class Broker extends MockProducer<byte[], byte[]> {
        Broker() {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized void flush() {
            if (brokerUp) {
                super.flush();
            }
        }

        void acknowledgeAll() {
            super.flush();
        }

        @Override
        public void close(Duration timeout) {
            while (errorNext(new org.apache.kafka.common.KafkaException("producer closed"))) {
                // fail every pending send
            }
            super.close(timeout);
        }
    }

    private final Deque<Broker> producers = new ArrayDeque<>();
    private volatile boolean brokerUp = true;

    private KafkaTelemetrySink sink(long queueBytes) {
        return new KafkaTelemetrySink(() -> {
            Broker b = new Broker();
            producers.addLast(b);
            return b;
        }, dir, queueBytes, Duration.ofMillis(50), Duration.ofMillis(50));
    }

    private static EvalResult event(long seq) {
        return EvalResult.newBuilder().setRunId("r").setSequence(seq).setStep(seq).setTimestamp(Instant.EPOCH)
                .setLanguageLoss(Map.of("go", 1.0)).setLanguageTokens(Map.of("go", 1L)).build();
    }

    private static List<Long> sequences(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> ((EvalResult) Topics.EVAL_RESULTS.valueSerde().deserializer()
                .deserialize(r.topic(), r.value())).getSequence()).toList();
    }

    /** Sequences of the events in the spool folder, in replay order, as a fresh process would read them. */
    private List<Long> onDisk() throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("spool-")).sorted().toList()) {
                for (SpecificRecord e : TelemetryFile.readAll(p)) {
                    seqs.add(((EvalResult) e).getSequence());
                }
            }
        }
        return seqs;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in 10 s");
            Thread.sleep(2);
        }
    }

    @Test
    void flushLeavesNoEventOnlyInMemory() throws Exception {
        brokerUp = false;
        KafkaTelemetrySink sink = sink(MiB);
        for (long seq = 0; seq < 3; seq++) {
            sink.emit(event(seq));
        }
        sink.flush();
        assertEquals(List.of(0L, 1L, 2L), onDisk(), "a crash right after flush() must find every unacknowledged event");
        Broker second = producers.getLast();
        await(() -> second.history().size() == 3); // replayed from the spool through a fresh producer
        assertEquals(List.of(0L, 1L, 2L), sequences(second.history()));
        second.acknowledgeAll();
        await(() -> sink.sent() == 3);
        await(() -> sink.spoolRecords() == 0);
        sink.close();
        assertEquals(List.of(), onDisk());
    }

    @Test
    void flushWithEverythingAcknowledgedWritesNothing() throws Exception {
        KafkaTelemetrySink sink = sink(MiB);
        sink.emit(event(0));
        Broker broker = producers.getFirst();
        await(() -> broker.history().size() == 1);
        broker.completeNext();
        sink.flush();
        assertEquals(List.of(), onDisk());
        assertEquals(1, producers.size(), "the producer is kept");
        sink.close();
    }

    @Test
    void aSendThatFailsAtOnceIsRetriedBeforeAnythingNewer() throws Exception {
        KafkaTelemetrySink sink = sink(MiB);
        Broker broker = producers.getFirst();
        broker.sendException = new TimeoutException("no metadata");
        sink.emit(event(0));
        sink.emit(event(1));
        Thread.sleep(250); // the sender retries every 100 ms meanwhile
        assertEquals(List.of(), broker.history());
        broker.sendException = null;
        await(() -> broker.history().size() == 2);
        assertEquals(List.of(0L, 1L), sequences(broker.history()));
        broker.flush();
        await(() -> sink.sent() == 2);
        sink.close();
    }

    @Test
    void aRetriedEventIsNotOvertakenByNewerOnes() throws Exception {
        KafkaTelemetrySink sink = sink(MiB);
        Broker first = producers.getFirst();
        for (long seq = 0; seq < 3; seq++) {
            sink.emit(event(seq));
        }
        await(() -> first.history().size() == 3);
        first.errorNext(new TimeoutException("delivery timeout")); // event 0 fails after 1 and 2 were handed over
        await(() -> producers.size() == 2 && producers.getLast().history().size() == 3);
        assertTrue(first.closed(), "1 and 2 must not reach Kafka ahead of 0");
        Broker second = producers.getLast();
        assertEquals(List.of(0L, 1L, 2L), sequences(second.history()));
        sink.emit(event(3));
        await(() -> second.history().size() == 4);
        second.flush();
        await(() -> sink.sent() == 4);
        assertEquals(1, sink.producerRestarts());
        sink.close();
        assertEquals(List.of(), onDisk());
    }

    @Test
    void aFullQueueSpillsInOrderAndTheSpoolIsReplayedFirst() throws Exception {
        KafkaTelemetrySink sink = sink(1024); // two events fit in memory
        Broker broker = producers.getFirst();
        broker.sendException = new TimeoutException("broker away");
        for (long seq = 0; seq < 6; seq++) {
            sink.emit(event(seq));
        }
        assertTrue(sink.spilled() >= 3, "events beyond the queue go to the spool");
        broker.sendException = null;
        await(() -> sink.sent() == 6); // the replay flushes the producer, which acknowledges all
        assertEquals(0, sink.spoolRecords());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), sequences(broker.history()));
        sink.close();
    }

    @Test
    void anEventKafkaRefusesForGoodIsKeptInRejectedAndCounted() throws Exception {
        KafkaTelemetrySink sink = sink(MiB);
        Broker broker = producers.getFirst();
        sink.emit(event(0));
        sink.emit(event(1));
        await(() -> broker.history().size() == 2);
        broker.errorNext(new RecordTooLargeException("too large"));
        broker.completeNext();
        await(() -> sink.sent() == 1);
        assertEquals(1, sink.failed());
        assertEquals(1, producers.size(), "a refused event is not retried");
        sink.close();
        List<SpecificRecord> kept = TelemetryFile.readAll(dir.resolve("rejected.avro"));
        assertEquals(List.of(0L), kept.stream().map(e -> ((EvalResult) e).getSequence()).toList());
    }

    @Test
    void closeWithoutTheBrokerLeavesEverythingInTheSpoolForTheNextStart() throws Exception {
        KafkaTelemetrySink sink = sink(MiB);
        for (long seq = 0; seq < 4; seq++) {
            sink.emit(event(seq));
        }
        sink.close();
        assertEquals(List.of(0L, 1L, 2L, 3L), onDisk());
        KafkaTelemetrySink next = sink(MiB);
        Broker broker = producers.getLast();
        next.emit(event(4));
        await(() -> broker.history().size() == 5);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sequences(broker.history()));
        broker.flush();
        await(() -> next.awaitDelivered(Duration.ZERO));
        next.close();
        assertEquals(List.of(), onDisk());
    }

    @Test
    void aResumeDiscardsTheSpooledEventsItWillEmitAgain() throws Exception {
        KafkaTelemetrySink sink = sink(MiB);
        for (long seq = 0; seq < 5; seq++) {
            sink.emit(event(seq));
        }
        sink.close();
        assertEquals(2, KafkaTelemetrySink.discardSpooled(dir, "r", 3));
        assertEquals(0, KafkaTelemetrySink.discardSpooled(dir, "other-run", 0));
        assertEquals(List.of(0L, 1L, 2L), onDisk());
    }
}
