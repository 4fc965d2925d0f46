package io.babelflow.ops.metrics;

import java.util.ArrayDeque;

/**
 * The trainer's pace for Prometheus: the last step and the steps per second over a sliding window,
 * so a stalled trainer reads 0 once the window has passed rather than its last pace forever. Times
 * are nanoseconds of a monotonic clock ({@link System#nanoTime()}); thread-safe.
 */
public final class StepRate {
    private final long windowNanos;
    private final long startNanos;
    private final ArrayDeque<Long> times = new ArrayDeque<>();
    private long lastStep = -1;

    /** @param startNanos when the run (or this process's part of it) started: the rate's first denominator */
    public StepRate(long windowNanos, long startNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowNanos = windowNanos;
        this.startNanos = startNanos;
    }

    public synchronized void record(long step, long nanos) {
        lastStep = step;
        times.addLast(nanos);
        evict(nanos);
    }

    /** The last step recorded, or -1 before the first. */
    public synchronized long step() {
        return lastStep;
    }

    /** Steps recorded in the window ending at {@code nowNanos}, per second of that window (shorter at the start). */
    public synchronized double perSecond(long nowNanos) {
        evict(nowNanos);
        long span = Math.min(windowNanos, nowNanos - startNanos);
        return span <= 0 || times.isEmpty() ? 0.0 : times.size() * 1e9 / span;
    }

    private void evict(long nowNanos) {
        while (!times.isEmpty() && times.peekFirst() <= nowNanos - windowNanos) {
            times.removeFirst();
        }
    }
}
