package io.babelflow.streams;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle the BabelFlow Streams apps share: a stream thread that failed on a broker error is
 * replaced, any other failure shuts the client down rather than running on with fewer threads
 * ({@link ThreadFailurePolicy}), {@link #awaitStop()} returns once the client is not
 * running, and {@link #close()} is idempotent and leaves the group ({@link StreamsDefaults#closeOptions}).
 */
public final class StreamsLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsLifecycle.class);

    private final KafkaStreams streams;
    private final CloseOptions onClose;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    public StreamsLifecycle(KafkaStreams streams, Properties props, String appName) {
        this.streams = streams;
        this.onClose = StreamsDefaults.closeOptions(props, Duration.ofSeconds(30));
        ThreadFailurePolicy policy = new ThreadFailurePolicy();
        streams.setUncaughtExceptionHandler(e -> {
            if (policy.replace(e, System.currentTimeMillis())) {
                LOG.warn("stream thread of the {} app failed on a broker error; replacing it (its tasks reopen from"
                        + " their changelogs and committed offsets): {}", appName, rootMessage(e));
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("stream thread failed; shutting the {} app down", appName, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public void start() {
        streams.start();
    }

    /** Blocks until the Kafka Streams client is not running (closed or failed). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Once only: runs {@code first} (e.g. stopping a query server), then commits and closes the
     * stores, leaves the group and releases {@link #awaitStop()}.
     */
    public void close(Runnable first) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        first.run();
        streams.close(onClose);
        stopped.countDown();
    }
}
