package io.babelflow.trainer.train;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM/SIGINT handling for a training run: a JVM shutdown hook that asks the run to stop at its
 * next step boundary, then holds the JVM's exit until {@link #close()} says the run (and whatever
 * must outlive it, such as telemetry sinks) has finished. Install it around the part that must finish;
 * close it in a {@code finally}.
 */
public final class StopHook implements AutoCloseable {
    private final Thread thread;
    private final CountDownLatch released = new CountDownLatch(1);

    private StopHook(String name, Runnable requestStop) {
        this.thread = new Thread(() -> {
            requestStop.run();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
    }

    /** Installs a hook that calls {@code requestStop} on a stop signal. */
    public static StopHook install(String name, Runnable requestStop) {
        StopHook hook = new StopHook(name, requestStop);
        Runtime.getRuntime().addShutdownHook(hook.thread);
        return hook;
    }

    /** Lets a waiting hook (and so the JVM) go, and removes the hook if no signal came. */
    @Override
    public void close() {
        released.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and has just been released
        }
    }
}
