package io.babelflow.streams;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.ApiException;

/**
 * What a stream thread's death means. A broker's error (an {@link ApiException} in the cause chain:
 * a transaction the coordinator lost when its broker died, a fenced producer, a timeout while
 * leaders move) is the cluster's weather, not the app's fault: the thread is replaced, its tasks
 * are reopened from their changelogs and committed offsets, and exactly-once holds because the
 * failed transaction is aborted. Anything else (a bug, a store that cannot open), or broker errors
 * coming faster than {@link #MAX_REPLACEMENTS} per {@link #PERIOD}, shuts the client down: running
 * on would hide it.
 */
public final class ThreadFailurePolicy {
    static final int MAX_REPLACEMENTS = 5;
    static final Duration PERIOD = Duration.ofMinutes(5);

    private final Deque<Long> replacements = new ArrayDeque<>();

    /** True if the failed thread should be replaced; records the replacement. */
    public synchronized boolean replace(Throwable failure, long nowMs) {
        if (!brokerError(failure)) {
            return false;
        }
        while (!replacements.isEmpty() && nowMs - replacements.peekFirst() >= PERIOD.toMillis()) {
            replacements.removeFirst();
        }
        if (replacements.size() >= MAX_REPLACEMENTS) {
            return false;
        }
        replacements.addLast(nowMs);
        return true;
    }

    static boolean brokerError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ApiException) {
                return true;
            }
        }
        return false;
    }
}
