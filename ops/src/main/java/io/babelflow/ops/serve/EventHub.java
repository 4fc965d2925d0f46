package io.babelflow.ops.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.babelflow.streams.JsonSerde;
import io.babelflow.streams.observatory.ObservatoryListener;
import io.babelflow.streams.observatory.ObservatoryUpdate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page's event log: every observatory update as JSON with an id counting up from 1, the
 * newest {@code capacity} kept so a page that reconnects with {@code Last-Event-ID} receives what it
 * missed. Publishing never blocks the stream thread for longer than an append; each page's SSE
 * connection reads at its own pace and is told to reload when it fell out of the window.
 */
public final class EventHub implements ObservatoryListener {
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

    /** One server-sent event: its id, the run it is about (null for all runs) and its JSON. */
    public record Event(long id, String runId, String json) {
    }

    /** What a reader receives: new events, or that it lost some and should reload. */
    public record Batch(List<Event> events, boolean gap) {
    }

    private final Event[] ring;
    private long lastId;

    public EventHub(int capacity) {
        this.ring = new Event[capacity];
    }

    @Override
    public void onUpdate(ObservatoryUpdate update) {
        String json;
        try {
            json = JsonSerde.MAPPER.writeValueAsString(update);
        } catch (JsonProcessingException e) {
            LOG.warn("update of run {} not sent to pages: {}", update.runId(), e.getMessage());
            return;
        }
        synchronized (this) {
            lastId++;
            ring[(int) (lastId % ring.length)] = new Event(lastId, update.runId(), json);
            notifyAll();
        }
    }

    public synchronized long lastId() {
        return lastId;
    }

    /** Events after {@code after}, waiting up to {@code waitMillis} for one; a gap when some left the window. */
    public synchronized Batch after(long after, long waitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (lastId <= after) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return new Batch(List.of(), false);
            }
            wait(left);
        }
        if (after < lastId - ring.length) {
            return new Batch(List.of(), true);
        }
        List<Event> out = new ArrayList<>((int) (lastId - after));
        for (long id = after + 1; id <= lastId; id++) {
            out.add(ring[(int) (id % ring.length)]);
        }
        return new Batch(out, false);
    }
}
