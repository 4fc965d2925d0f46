package io.babelflow.streams.specialization.app;

import io.babelflow.events.EvalResult;
import io.babelflow.events.TrainStep;
import io.babelflow.streams.specialization.stage.LossHistory;
import io.babelflow.streams.specialization.stage.LossSlope;
import io.babelflow.streams.specialization.stage.LossTrajectory;
import io.babelflow.streams.specialization.stage.StageEvidence;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Held-out loss of each language of a run: keeps the last eval points (for the slope) and, from
 * TrainStep's weights in force, the step each language was introduced, from which on its
 * {@link LossTrajectory} is read. Emits one LossEvidence per language and EvalResult.
 */
final class HeldOutLossProcessor implements Processor<String, SpecificRecord, String, StageEvidence> {
    private final int points;
    private final LossTrajectory.Parameters trajectory;
    /** Runs whose every language with weight above 0 was introduced already: most steps skip the store. */
    private final Map<String, Set<String>> seen = new HashMap<>();
    private ProcessorContext<String, StageEvidence> context;
    private KeyValueStore<String, LossHistory> store;

    HeldOutLossProcessor(int points, LossTrajectory.Parameters trajectory) {
        this.points = points;
        this.trajectory = trajectory;
    }

    @Override
    public void init(ProcessorContext<String, StageEvidence> context) {
        this.context = context;
        store = context.getStateStore(SpecializationStores.HELD_OUT_LOSS);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof TrainStep step) {
            introduce(record.key(), step);
        } else if (record.value() instanceof EvalResult eval) {
            evaluate(record, eval);
        }
    }

    private void introduce(String runId, TrainStep step) {
        Map<String, Double> weights = step.getMixtureWeights();
        Set<String> known = seen.get(runId);
        if (known != null && weights.entrySet().stream().allMatch(w -> !(w.getValue() > 0) || known.contains(w.getKey()))) {
            return;
        }
        LossHistory before = store.get(runId);
        before = before == null ? LossHistory.EMPTY : before;
        LossHistory after = before.withWeights(step.getStep(), weights, trajectory);
        if (after != before) {
            store.put(runId, after);
        }
        seen.put(runId, new HashSet<>(after.introduced().keySet()));
    }

    private void evaluate(Record<String, SpecificRecord> record, EvalResult eval) {
        LossHistory before = store.get(record.key());
        LossHistory history = (before == null ? LossHistory.EMPTY : before)
                .with(eval.getStep(), eval.getLanguageLoss(), points, trajectory);
        store.put(record.key(), history);
        eval.getLanguageLoss().forEach((language, loss) -> {
            var kept = history.of(language);
            if (!kept.isEmpty() && kept.get(kept.size() - 1).step() == eval.getStep()) {
                context.forward(new Record<>(record.key(), new StageEvidence.LossEvidence(eval.getStep(), language, loss,
                        LossSlope.perThousandSteps(kept), kept.size(), history.trajectory(language)), record.timestamp()));
            }
        });
    }
}
