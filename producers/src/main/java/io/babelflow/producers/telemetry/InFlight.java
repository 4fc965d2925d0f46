package io.babelflow.producers.telemetry;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.avro.specific.SpecificRecord;

/**
 * The events a {@link KafkaTelemetrySink} handed to its producer and Kafka has not acknowledged yet,
 * by send order, and which of them must be sent again (their send failed at once, so nothing newer
 * was handed over after them). Thread-safe: the sender adds, producer callbacks resolve.
 */
final class InFlight {
    /** An unacknowledged event; onDisk: the spool segment it was replayed from still holds it. */
    record Pending(SpecificRecord event, boolean onDisk) {
    }

    private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListSet<Long> retries = new ConcurrentSkipListSet<>();
    private long nextOrder; // sender thread only

    /** Records a new event about to be handed over; returns its send order. */
    long add(SpecificRecord event, boolean onDisk) {
        long order = nextOrder++;
        pending.put(order, new Pending(event, onDisk));
        return order;
    }

    Pending get(long order) {
        return pending.get(order);
    }

    boolean contains(long order) {
        return pending.containsKey(order);
    }

    /** Kafka acknowledged it (or refused it for good); false if it was no longer pending. */
    boolean resolve(long order) {
        retries.remove(order);
        return pending.remove(order) != null;
    }

    void retry(long order) {
        retries.add(order);
    }

    /** The oldest event to send again, or null. */
    Long pollRetry() {
        return retries.pollFirst();
    }

    boolean hasRetries() {
        return !retries.isEmpty();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** True when every pending event is also in the spool. */
    boolean allOnDisk() {
        return pending.values().stream().allMatch(Pending::onDisk);
    }

    /** Removes and returns every pending event, oldest first. */
    List<SpecificRecord> drain() {
        List<SpecificRecord> events = pending.values().stream().map(Pending::event).toList();
        pending.clear();
        retries.clear();
        return events;
    }
}
