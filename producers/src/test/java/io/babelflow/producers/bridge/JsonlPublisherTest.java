package io.babelflow.producers.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class JsonlPublisherTest {
    private static final String STEP = """
            {"type": "TrainStep", "runId": "r1", "step": %d, "sequence": %d, "timestamp": 1764000000000, \
            "tokens": 1, "learningRate": 0.1, "loss": 2.5, "languageLoss": {"go": 2.5}, "languageTokens": {"go": 1}, \
            "mixtureVersion": 0}""";

    /** A broker that is not there: every send waits out its block time, then fails with a timeout. */
    static final class AbsentBroker extends MockProducer<byte[], byte[]> {
        int attempts;

        AbsentBroker() {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            attempts++; // each would cost max.block.ms
            callback.onCompletion(null, new TimeoutException("Topic babelflow.train-steps not present in metadata after 10000 ms."));
            return null;
        }
    }

    @Test
    void anAbsentBrokerStopsThePublisherAtTheFirstTimeoutNotOncePerLine() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            lines.append(STEP.formatted(i, i)).append('\n');
        }
        AbsentBroker broker = new AbsentBroker();
        StringWriter err = new StringWriter();
        JsonlPublisher.Result result = JsonlPublisher.publish(new BufferedReader(new StringReader(lines.toString())),
                broker, new PrintWriter(err));
        assertEquals(1, broker.attempts, "one wait for the broker, not one per line");
        assertEquals(0, result.published());
        assertEquals(4, result.rejected());
        assertTrue(err.toString().contains("the 3 lines after it were not published"), err.toString());
    }
}
