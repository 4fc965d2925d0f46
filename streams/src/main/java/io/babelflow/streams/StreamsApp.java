package io.babelflow.streams;

/** A started BabelFlow Streams app: it can be waited on and closed. */
public interface StreamsApp extends AutoCloseable {
    /** Blocks until the Kafka Streams client is not running (closed or failed). */
    void awaitStop() throws InterruptedException;

    /** Stops the app; safe to call more than once. */
    @Override
    void close();

    /**
     * Blocks until the JVM shuts down (SIGINT / SIGTERM close the app through a hook) or the app
     * stops by itself; then closes it cleanly.
     */
    static void runUntilStopped(StreamsApp app, String name) throws InterruptedException {
        Thread hook = new Thread(app::close, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.awaitStop();
        app.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it closes the app
        }
    }
}
