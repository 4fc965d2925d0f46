package io.babelflow.producers.telemetry;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.schemas.telemetry.TelemetrySink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lossless, asynchronous telemetry to Kafka. The training thread only appends to a byte-bounded
 * in-memory queue; one sender thread hands events to an idempotent producer ({@code acks=all},
 * zstd, linger) that retries until the broker takes them. When the queue is full — the broker is
 * slow or unreachable and the producer's buffer is full — events spill, in order, to a local
 * {@link Spool} in the run folder, and every later event follows them there until the sender has
 * replayed the spool, so order is kept. A spool left by an earlier process is replayed first.
 *
 * <p>On {@link #close()} the sender gets {@code closeTimeout} to deliver everything; whatever the
 * broker has not acknowledged by then (in flight, queued, or spooled) stays in the spool for the
 * next start or for {@code babelflow replay}. A record whose delivery was ambiguous when the sink
 * gave up may therefore arrive twice: the per-run sequence number in every event lets consumers
 * drop the duplicate. Records Kafka rejects for good (e.g. larger than the topic allows) are counted
 * as failed and kept in {@code rejected.avro} beside the spool.
 */
public final class KafkaTelemetrySink implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTelemetrySink.class);
    public static final long DEFAULT_QUEUE_BYTES = 64L * 1024 * 1024;

    private final Producer<byte[], byte[]> producer;
    private final Spool spool;
    private final Path rejectedFile;
    private final long queueCapacityBytes;
    private final Duration closeTimeout;

    private final Object lock = new Object();
    private final Deque<SpecificRecord> queue = new ArrayDeque<>(); // guarded by lock
    private long queuedBytes;                                       // guarded by lock
    private boolean spooling;                                       // guarded by lock
    private boolean closing;                                        // guarded by lock

    /** Handed to the producer, not yet acknowledged; key = send order. */
    private final ConcurrentSkipListMap<Long, SpecificRecord> inFlight = new ConcurrentSkipListMap<>();
    private long sendOrder;
    /** Events the broker failed retriably, by send order: sent again before anything newer. */
    private final ConcurrentSkipListMap<Long, SpecificRecord> retries = new ConcurrentSkipListMap<>();
    private int replayingCount;
    private static final long RETRY_BACKOFF_MS = 100;
    /** Events of the spool segment being replayed that were not handed to the producer yet. */
    private volatile List<SpecificRecord> segmentTail = List.of();
    /** The spool segment being replayed, until Kafka acknowledged all of it. */
    private volatile Path replaying;
    private volatile boolean abort;
    private DataFileWriter<Object> rejected;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong emitted = new AtomicLong();
    private final Thread sender;

    public KafkaTelemetrySink(ClientConfig client, Path spoolDir) {
        this(new KafkaProducer<>(producerConfig(client), new ByteArraySerializer(), new ByteArraySerializer()),
                spoolDir, DEFAULT_QUEUE_BYTES, Duration.ofSeconds(10));
    }

    /** For tests and tuning: any producer, queue bound and close timeout. */
    public KafkaTelemetrySink(Producer<byte[], byte[]> producer, Path spoolDir, long queueCapacityBytes,
            Duration closeTimeout) {
        this.producer = producer;
        this.spool = new Spool(spoolDir);
        this.rejectedFile = spoolDir.resolve("rejected" + TelemetryFile.EXTENSION);
        this.queueCapacityBytes = queueCapacityBytes;
        this.closeTimeout = closeTimeout;
        if (!spool.isEmpty()) {
            LOG.info("replaying {} telemetry events left in {}", spool.records(), spoolDir);
            spooling = true; // new events queue up behind the leftovers
        }
        this.sender = new Thread(this::sendLoop, "babelflow-telemetry-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Settings for tools that may wait for the broker (publish, replay, loadgen): the sink's, but a
     * send blocks up to {@code maxBlock} for metadata or buffer space instead of failing after 2 s.
     */
    public static Map<String, Object> producerConfig(ClientConfig client, Duration maxBlock) {
        Map<String, Object> config = new java.util.HashMap<>(producerConfig(client));
        if (!client.overrides().containsKey(ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        }
        return config;
    }

    /** Producer settings: idempotent, every replica acknowledges, retries until the broker is back. */
    public static Map<String, Object> producerConfig(ClientConfig client) {
        Map<String, Object> config = new java.util.HashMap<>();
        client.properties(PRODUCER_DEFAULTS).forEach((k, v) -> config.put(String.valueOf(k), v)); // the user's file wins
        return Map.copyOf(config);
    }

    private static final Map<String, Object> PRODUCER_DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 20,
            ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.ACTIVATION_MAX_MESSAGE_BYTES,
            // finite, so a batch stuck on a broker-side sequence error (KAFKA-14359) fails and is
            // re-sent by the sink instead of retrying forever; an outage outlasts it through the spool
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
            ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
            ProducerConfig.CLIENT_ID_CONFIG, "babelflow-telemetry");

    @Override
    public void emit(SpecificRecord event) {
        long size = TelemetryRecords.sizeOf(event);
        synchronized (lock) {
            if (closing) {
                throw new IllegalStateException("telemetry sink is closed");
            }
            emitted.incrementAndGet();
            if (!spooling && queuedBytes + size <= queueCapacityBytes) {
                queue.addLast(event);
                queuedBytes += size;
                lock.notifyAll();
                return;
            }
            if (!spooling) {
                LOG.warn("telemetry queue full ({} events, {} bytes): spilling to {} until Kafka catches up",
                        queue.size(), queuedBytes, spool.dir());
            }
            spooling = true;
            spool.append(event);
            spilled.incrementAndGet();
        }
    }

    private void sendLoop() {
        try {
            while (!abort) {
                Map.Entry<Long, SpecificRecord> retry = retries.pollFirstEntry();
                if (retry != null) {
                    Thread.sleep(RETRY_BACKOFF_MS); // the broker just failed it: give it a moment
                    send(retry.getKey(), retry.getValue());
                    continue;
                }
                SpecificRecord next;
                synchronized (lock) {
                    next = queue.pollFirst();
                    if (next != null) {
                        queuedBytes -= TelemetryRecords.sizeOf(next);
                    } else if (!spooling) {
                        if (closing && inFlight.isEmpty()) {
                            return; // everything delivered
                        }
                        lock.wait(100);
                        continue;
                    }
                }
                if (next != null) {
                    send(sendOrder++, next);
                } else {
                    replaySpool();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("telemetry sender stopped; undelivered events stay in the spool", e);
        }
    }

    /**
     * Replays the spool segment by segment, oldest first. A segment is deleted only once Kafka
     * acknowledged all of its events; events the broker failed are retried first, and the segment's
     * state survives in {@link #replaying} / {@link #segmentTail} until then. Spooling stops once the
     * spool is empty.
     */
    private void replaySpool() throws InterruptedException {
        if (replaying == null) {
            synchronized (lock) {
                if (spool.isEmpty()) {
                    spooling = false;
                    LOG.info("telemetry spool replayed; back to direct sending");
                    return;
                }
                spool.rotate();
            }
            List<Path> segments = spool.closedSegments();
            if (segments.isEmpty()) {
                return;
            }
            replaying = segments.get(0);
            List<SpecificRecord> events = spool.read(replaying);
            replayingCount = events.size();
            segmentTail = new ArrayList<>(events);
        }
        while (!segmentTail.isEmpty() && !abort && retries.isEmpty()) {
            send(sendOrder++, segmentTail.get(0));
            segmentTail.remove(0);
        }
        if (!segmentTail.isEmpty() || abort) {
            return;
        }
        producer.flush(); // delete only what Kafka acknowledged
        if (inFlight.isEmpty()) {
            spool.delete(replaying, replayingCount);
            replaying = null;
        }
    }

    /**
     * Hands one event to the producer. Failures the broker may recover from (a request or delivery
     * timeout, a leader change, a stuck idempotent sequence after KAFKA-14359) put the event on the
     * retry list, sent again before anything newer; the event stays in flight until acknowledged.
     */
    private void send(long order, SpecificRecord event) {
        var record = TelemetryRecords.toRecord(event);
        inFlight.put(order, event);
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    inFlight.remove(order);
                    sent.incrementAndGet();
                } else if (abort) {
                    // the sink is closing without the broker: the event stays in flight and goes to the spool
                } else if (error instanceof RetriableException) {
                    retries.put(order, event); // send() failed at once, or a delivery timed out
                } else {
                    inFlight.remove(order);
                    reject(event, error);
                }
            });
        } catch (KafkaException e) {
            if (!abort) {
                inFlight.remove(order);
                reject(event, e);
            }
        } catch (IllegalStateException closed) {
            // the sink is aborting and closed the producer: the event stays in flight for the spool
        }
    }

    private synchronized void reject(SpecificRecord event, Exception error) {
        failed.incrementAndGet();
        LOG.error("Kafka rejected a {} for good ({}); kept in {}", event.getSchema().getName(), error.getMessage(),
                rejectedFile);
        try {
            if (rejected == null) {
                rejected = TelemetryFile.openWriter(rejectedFile);
            }
            rejected.append(event);
            rejected.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep rejected telemetry in " + rejectedFile, e);
        }
    }

    /** Waits up to {@code timeout} for everything emitted so far to be acknowledged. */
    public boolean awaitDelivered(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (lock) {
                if (queue.isEmpty() && !spooling && inFlight.isEmpty()) {
                    return true;
                }
            }
            // no producer.flush() here: it waits for the delivery timeout when the broker is away;
            // linger sends batches by itself
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void flush() {
        awaitDelivered(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            lock.notifyAll();
        }
        boolean delivered = awaitDelivered(closeTimeout);
        abort = true;
        if (!delivered) {
            // fails every unacknowledged send now (they stay in flight, for the spool) and frees a
            // sender blocked on the absent broker
            producer.close(Duration.ZERO);
        }
        try {
            sender.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (delivered) {
            producer.close(closeTimeout);
        }
        List<SpecificRecord> leftovers = new ArrayList<>(inFlight.values());
        leftovers.addAll(segmentTail);
        synchronized (lock) {
            leftovers.addAll(queue);
            queue.clear();
        }
        if (!leftovers.isEmpty()) {
            spool.writeFirst(leftovers);
        }
        if (replaying != null) {
            // its acknowledged events are in Kafka, the others among the leftovers written first
            spool.delete(replaying, replayingCount);
        }
        if (!spool.isEmpty()) {
            LOG.warn("Kafka unreachable at close: {} telemetry events kept in {} for the next start or "
                    + "'babelflow replay'", spool.records(), spool.dir());
        }
        spool.close();
        synchronized (this) {
            if (rejected != null) {
                try {
                    rejected.close();
                } catch (IOException e) {
                    LOG.warn("cannot close {}", rejectedFile, e);
                }
            }
        }
    }

    /** Events accepted by {@link #emit}. */
    public long emitted() {
        return emitted.get();
    }

    /** Events Kafka acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Events Kafka rejected for good (kept in rejected.avro). */
    public long failed() {
        return failed.get();
    }

    /** Events that went through the spool. */
    public long spilled() {
        return spilled.get();
    }

    /** Events waiting in memory. */
    public int queueDepth() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Events waiting in the spool. */
    public long spoolRecords() {
        return spool.records();
    }

    public long spoolBytes() {
        return spool.bytes();
    }
}
