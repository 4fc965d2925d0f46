package io.babelflow.producers.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.RunEnded;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
    private static List<Object> values(MockProducer<byte[], byte[]> producer) {
        return producer.history().stream().map(r -> (Object) Topics.byName(r.topic()).valueSerde().deserializer()
                .deserialize(r.topic(), r.value())).toList();
    }

    @Test
    void aGateThatSaysStopEndsTheRunThereAndRunEndedNamesTheLastStepSent() throws InterruptedException {
        LoadShape shape = new LoadShape("gated", 2, 16, 2, 2, 0, 100, 1, 1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        List<Long> asked = new ArrayList<>();
        LoadGenerator.Result result = new LoadGenerator(shape).run(producer, line -> { }, step -> {
            asked.add(step);
            return step < 3;
        });
        List<Object> values = values(producer);
        assertEquals(List.of(0L, 1L, 2L, 3L), asked);
        // 2 RunStarted + 3 steps x 2 ranks x (1 TrainStep + 2 layers) + 2 RunEnded
        assertEquals(2 + 3 * 2 * 3 + 2, result.records());
        assertEquals(6, values.stream().filter(v -> v instanceof TrainStep).count());
        assertEquals(12, values.stream().filter(v -> v instanceof ActivationStats).count());
        assertEquals(List.of(2L, 2L), values.stream().filter(v -> v instanceof RunEnded).map(v -> ((RunEnded) v)
                .getLastStep()).toList());
    }

    @Test
    void withoutAGateTheWholeRunIsSent() throws InterruptedException {
        LoadShape shape = new LoadShape("whole", 1, 16, 2, 1, 0, 4, 2, 1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        new LoadGenerator(shape).run(producer, line -> { });
        List<Object> values = values(producer);
        assertEquals(4, values.stream().filter(v -> v instanceof TrainStep).count());
        assertEquals(2, values.stream().filter(v -> v instanceof ActivationStats).count()); // steps 1 and 3
        assertEquals(3L, ((RunEnded) values.get(values.size() - 1)).getLastStep());
    }
}
