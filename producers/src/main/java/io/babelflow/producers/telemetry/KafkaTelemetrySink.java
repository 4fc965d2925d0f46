package io.babelflow.producers.telemetry;

import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.schemas.telemetry.TelemetrySink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lossless, ordered, asynchronous telemetry to Kafka. The training thread only appends to a
 * byte-bounded in-memory queue; one sender thread hands events to an idempotent producer
 * ({@code acks=all}, zstd, linger). When the queue is full — the broker is slow or away — events
 * spill, in order, to a local {@link Spool} in the run folder, and every later event follows them
 * there until the sender has replayed the spool. A spool left by an earlier process is replayed first.
 *
 * <p>Durability: when {@link #flush()} returns, every event emitted so far is acknowledged or synced
 * to the spool, so a checkpoint taken after it never moves past a lost event: what is not
 * acknowledged within {@code flushWait} goes to the spool and the producer is replaced.
 *
 * <p>Order: an event whose send fails at once is sent again before anything newer. One that fails
 * after newer ones were handed over (delivery timeout) would land behind them, so the sink drops that
 * producer, writes every unacknowledged event in order to the front of the spool and replays it.
 *
 * <p>{@link #close()} waits up to {@code closeTimeout}; the rest stays in the spool for the next start
 * or {@code babelflow replay}. An ambiguous delivery may arrive twice with the same (run, rank,
 * sequence): consumers drop the repeat. Events Kafka refuses for good are kept in {@code rejected.avro}.
 */
public final class KafkaTelemetrySink implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTelemetrySink.class);
    public static final long DEFAULT_QUEUE_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_FLUSH_WAIT = Duration.ofSeconds(2);
    private static final long RETRY_BACKOFF_MS = 100;

    private final Supplier<Producer<byte[], byte[]>> producers;
    private volatile Producer<byte[], byte[]> producer;
    private final Spool spool;
    private final RejectedTelemetry rejected;
    private final long queueCapacityBytes;
    private final Duration flushWait;
    private final Duration closeTimeout;

    private final Object lock = new Object();
    private final Deque<SpecificRecord> queue = new ArrayDeque<>(); // guarded by lock
    private long queuedBytes;                                       // guarded by lock
    private boolean spooling;                                       // guarded by lock
    private boolean closing;                                        // guarded by lock

    private final InFlight inFlight = new InFlight();
    private volatile long sendingNow = -1;
    /** An event failed after newer ones were handed over: replace the producer (see class comment). */
    private volatile boolean reorderRisk;
    /** The producer being dropped: its failures keep their events in flight, for the spool. */
    private volatile boolean abandoning;
    private volatile boolean stopped;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private Thread sender;

    public KafkaTelemetrySink(ClientConfig client, Path spoolDir) {
        this(() -> new KafkaProducer<>(TelemetryProducerConfig.of(client), new ByteArraySerializer(), new ByteArraySerializer()),
                spoolDir, DEFAULT_QUEUE_BYTES, DEFAULT_FLUSH_WAIT, Duration.ofSeconds(10));
    }

    /**
     * For tests and tuning: a producer factory (called again whenever a producer must be replaced),
     * the queue bound, how long {@link #flush()} waits for acknowledgements before spilling, and the
     * close timeout.
     */
    public KafkaTelemetrySink(Supplier<Producer<byte[], byte[]>> producers, Path spoolDir, long queueCapacityBytes,
            Duration flushWait, Duration closeTimeout) {
        this.producers = producers;
        this.spool = new Spool(spoolDir);
        this.rejected = new RejectedTelemetry(spoolDir.resolve("rejected" + TelemetryFile.EXTENSION));
        this.queueCapacityBytes = queueCapacityBytes;
        this.flushWait = flushWait;
        this.closeTimeout = closeTimeout;
        if (!spool.isEmpty()) {
            LOG.info("replaying {} telemetry events left in {}", spool.records(), spoolDir);
            spooling = true; // new events queue up behind the leftovers
        }
        this.producer = producers.get();
        startSender();
    }

    /**
     * Drops the events of {@code runId} from sequence {@code fromSequence} on from a spool folder: a
     * resumed run emits those steps again from its checkpoint. Call it before opening a sink there.
     */
    public static long discardSpooled(Path spoolDir, String runId, long fromSequence) {
        return Spool.discard(spoolDir, e -> runId.equals(TelemetryRecords.runId(e)) && TelemetryRecords.sequence(e) >= fromSequence);
    }

    @Override
    public void emit(SpecificRecord event) {
        long size = TelemetryRecords.sizeOf(event);
        synchronized (lock) {
            if (closing) {
                throw new IllegalStateException("telemetry sink is closed");
            }
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

    private void startSender() {
        stopped = false;
        abandoning = false;
        sender = new Thread(this::sendLoop, "babelflow-telemetry-sender");
        sender.setDaemon(true);
        sender.start();
    }

    private void sendLoop() {
        try {
            while (!stopped) {
                if (reorderRisk) {
                    replaceProducer();
                    continue;
                }
                Long retry = inFlight.pollRetry();
                if (retry != null) {
                    Thread.sleep(RETRY_BACKOFF_MS); // the broker just failed it: give it a moment
                    InFlight.Pending pending = inFlight.get(retry);
                    if (pending != null) {
                        send(retry, pending.event());
                    }
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
                    send(inFlight.add(next, false), next);
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
     * acknowledged all of its events; until then its events are on disk. Spooling stops once the
     * spool is empty.
     */
    private void replaySpool() {
        synchronized (lock) {
            if (spool.isEmpty()) {
                spooling = false;
                LOG.info("telemetry spool replayed; back to direct sending");
                return;
            }
        }
        while (!stopped && !inFlight.hasRetries() && !reorderRisk) {
            SpecificRecord event = spool.nextToReplay();
            if (event == null) {
                break;
            }
            send(inFlight.add(event, true), event);
        }
        if (stopped || !spool.replayHandedOver()) {
            return;
        }
        producer.flush(); // delete only what Kafka acknowledged
        if (inFlight.isEmpty()) {
            spool.endReplay();
        }
    }

    /** Hands one event to the producer; it stays in flight until acknowledged. */
    private void send(long order, SpecificRecord event) {
        var record = TelemetryRecords.toRecord(event);
        sendingNow = order;
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    if (inFlight.resolve(order)) {
                        sent.incrementAndGet();
                    }
                } else if (abandoning || !inFlight.contains(order)) {
                    // the producer is being dropped: the event stays in flight and goes to the spool
                } else if (error instanceof RetriableException) {
                    if (sendingNow == order) {
                        inFlight.retry(order); // failed at once: nothing newer was handed over yet
                    } else {
                        reorderRisk = true; // newer events may reach Kafka before it
                    }
                } else {
                    inFlight.resolve(order);
                    rejected.keep(event, error);
                }
            });
        } catch (RetriableException e) {
            inFlight.retry(order); // thrown at once: nothing newer was handed over yet
        } catch (KafkaException e) {
            if (!abandoning) {
                inFlight.resolve(order);
                rejected.keep(event, e);
            }
        } catch (IllegalStateException closed) {
            // the producer was closed under us: the event stays in flight for the spool
        } finally {
            sendingNow = -1;
        }
    }

    /** On the sender thread: drops the producer and everything it holds, spools it all, starts afresh. */
    private void replaceProducer() {
        LOG.warn("a telemetry event failed after newer ones were sent: re-sending all unacknowledged events in order");
        abandoning = true;
        producer.close(Duration.ZERO); // fails what it holds; the callbacks leave those events in flight
        spillUnacknowledged();
        producer = producers.get();
        abandoning = false;
        restarts.incrementAndGet();
    }

    /**
     * With no sender running: writes every unacknowledged event (in flight, in the replayed
     * segment's tail, queued), oldest first, to the front of the spool, synced, and continues from
     * the spool.
     */
    private void spillUnacknowledged() {
        List<SpecificRecord> leftovers = new ArrayList<>(inFlight.drain());
        leftovers.addAll(spool.replayTail());
        synchronized (lock) {
            leftovers.addAll(queue);
            queue.clear();
            queuedBytes = 0;
            spooling = true;
            spool.writeFirst(leftovers);
            spool.endReplay(); // its acknowledged events are in Kafka, the others among the leftovers
            spool.sync();
        }
        spilled.addAndGet(leftovers.size());
        reorderRisk = false;
    }

    /** Stops the sender thread, failing whatever the producer holds (those events stay in flight). */
    private void stopSender() {
        stopped = true;
        abandoning = true;
        producer.close(Duration.ZERO); // frees a sender blocked on an absent broker
        joinSender();
        producer.close(Duration.ZERO); // the sender may have replaced it meanwhile
    }

    private void joinSender() {
        try {
            sender.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean await(boolean durableIsEnough, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (lock) {
                if (queue.isEmpty() && (durableIsEnough ? !reorderRisk && inFlight.allOnDisk() // nothing only in memory
                        : !spooling && inFlight.isEmpty())) { // everything acknowledged
                    return true;
                }
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(5); // no producer.flush(): it waits for the delivery timeout when the broker is away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Waits up to {@code timeout} for everything emitted so far to be acknowledged. */
    public boolean awaitDelivered(Duration timeout) {
        return await(false, timeout);
    }

    /**
     * Returns once every event emitted so far is acknowledged by Kafka or synced to the spool: waits
     * up to {@code flushWait} for acknowledgements, then spools the rest (see class comment).
     */
    @Override
    public void flush() {
        if (!await(true, flushWait) && !stopped) {
            LOG.info("telemetry not acknowledged within {} ms: writing it to the spool", flushWait.toMillis());
            stopSender();
            spillUnacknowledged();
            producer = producers.get();
            startSender();
        }
        spool.sync();
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
        if (delivered) {
            stopped = true;
            joinSender();
            producer.close(closeTimeout);
        } else {
            stopSender();
            spillUnacknowledged();
        }
        if (!spool.isEmpty()) {
            LOG.warn("Kafka unreachable at close: {} telemetry events kept in {} for the next start or "
                    + "'babelflow replay'", spool.records(), spool.dir());
        }
        spool.close();
        rejected.close();
    }

    /** Events Kafka acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Events Kafka rejected for good (kept in rejected.avro). */
    public long failed() {
        return rejected.count();
    }

    /** Events that went through the spool. */
    public long spilled() {
        return spilled.get();
    }

    /** Times the producer was replaced to keep the order of a failed event. */
    public long producerRestarts() {
        return restarts.get();
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
