package io.babelflow.streams.reweighting.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.babelflow.streams.StreamsDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start and stop without a broker: start returns at once, close stops the client and may be repeated. */
class ReweightingAppLifecycleTest {
    @TempDir
    Path stateDir;

    @Test
    void startsReturnsAtOnceAndClosesIdempotently() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            ReweightingApp app = ReweightingApp.start(
                    StreamsDefaults.base("127.0.0.1:1", "lifecycle-test", stateDir.toString(), Map.of()),
                    ReweightingConfig.DEFAULTS);
            try {
                assertEquals(new ReweightingMetrics(0, 0, 0, 0, 0, 0, 0, 0), app.metrics(), "no task assigned yet");
            } finally {
                app.close();
            }
            assertEquals(KafkaStreams.State.NOT_RUNNING, app.streams().state());
            app.awaitStop();
            app.close();
        });
    }
}
