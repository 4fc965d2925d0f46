package io.babelflow.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {
    private static final StreamsException LOST_TRANSACTION = new StreamsException("Error encountered trying to commit"
            + " a transaction", new InvalidTxnStateException("The producer attempted a transactional operation in an"
            + " invalid state."));

    @Test
    void aTransactionLostWithItsBrokerReplacesTheThread() {
        assertTrue(new ThreadFailurePolicy().replace(LOST_TRANSACTION, 0));
        assertTrue(new ThreadFailurePolicy().replace(new StreamsException(new TimeoutException("leaders moving")), 0));
    }

    @Test
    void aBugShutsTheClientDown() {
        assertFalse(new ThreadFailurePolicy().replace(new StreamsException("processor failed",
                new IllegalStateException("bug")), 0));
        assertFalse(new ThreadFailurePolicy().replace(new NullPointerException(), 0));
    }

    @Test
    void brokerErrorsTooOftenShutTheClientDownAndTheBudgetRefillsWithTime() {
        ThreadFailurePolicy policy = new ThreadFailurePolicy();
        for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
            assertTrue(policy.replace(LOST_TRANSACTION, i * 1000L), "replacement " + (i + 1));
        }
        assertFalse(policy.replace(LOST_TRANSACTION, 10_000), "the sixth within the period");
        long periodLater = ThreadFailurePolicy.PERIOD.toMillis();
        assertTrue(policy.replace(LOST_TRANSACTION, periodLater), "the first one left the period");
        assertFalse(policy.replace(LOST_TRANSACTION, periodLater + 500), "the second has not");
    }
}
