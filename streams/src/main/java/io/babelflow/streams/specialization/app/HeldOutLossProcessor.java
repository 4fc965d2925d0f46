package io.babelflow.streams.specialization.app;

import io.babelflow.events.EvalResult;
import io.babelflow.streams.specialization.stage.LossHistory;
import io.babelflow.streams.specialization.stage.LossSlope;
import io.babelflow.streams.specialization.stage.StageEvidence;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the last eval points of each language and emits its loss with the least-squares slope. */
final class HeldOutLossProcessor implements Processor<String, EvalResult, String, StageEvidence> {
    private final int points;
    private ProcessorContext<String, StageEvidence> context;
    private KeyValueStore<String, LossHistory> store;

    HeldOutLossProcessor(int points) {
        this.points = points;
    }

    @Override
    public void init(ProcessorContext<String, StageEvidence> context) {
        this.context = context;
        store = context.getStateStore(SpecializationStores.HELD_OUT_LOSS);
    }

    @Override
    public void process(Record<String, EvalResult> record) {
        EvalResult eval = record.value();
        LossHistory before = store.get(record.key());
        LossHistory history = (before == null ? LossHistory.EMPTY : before).with(eval.getStep(), eval.getLanguageLoss(), points);
        store.put(record.key(), history);
        eval.getLanguageLoss().forEach((language, loss) -> {
            var kept = history.of(language);
            if (!kept.isEmpty() && kept.get(kept.size() - 1).step() == eval.getStep()) {
                context.forward(new Record<>(record.key(), new StageEvidence.LossEvidence(eval.getStep(), language, loss,
                        LossSlope.perThousandSteps(kept), kept.size()), record.timestamp()));
            }
        });
    }
}
