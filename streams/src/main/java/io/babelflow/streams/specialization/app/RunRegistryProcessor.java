package io.babelflow.streams.specialization.app;

import io.babelflow.events.RunStarted;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the latest RunStarted of every run: its model shape, world size and language roles. */
final class RunRegistryProcessor implements Processor<String, RunStarted, Void, Void> {
    private KeyValueStore<String, RunStarted> runs;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        runs = context.getStateStore(SpecializationStores.RUNS);
    }

    @Override
    public void process(Record<String, RunStarted> record) {
        if (record.value() == null) {
            runs.delete(record.key());
        } else {
            runs.put(record.key(), record.value());
        }
    }
}
