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
 * The lifecycle both BabelFlow Streams apps share: a failed stream thread shuts the client down
 * (rather than running on with fewer threads), {@link #awaitStop()} returns once the client is not
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
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the {} app down", appName, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
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
