package io.babelflow.ops.process;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition another thread or process makes true, with a deadline that names what was awaited. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} every 20 ms; throws "no WHAT within TIMEOUT" when the deadline passes first. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
