package io.babelflow.streams.observatory;

import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Counts dead letters by reason and source topic, from the {@code babelflow.dlq.*} headers. */
final class DeadLetterCounter implements Processor<byte[], byte[], Void, Void> {
    private static final int MAX_REASON = 60;
    private final ObservatoryListener listener;
    private KeyValueStore<String, Long> counts;

    DeadLetterCounter(ObservatoryListener listener) {
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        counts = context.getStateStore(ObservatoryStores.DEAD_LETTERS);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String reason = reasonClass(DeadLetters.header(record.headers(), Topics.DLQ_REASON));
        String topic = DeadLetters.header(record.headers(), Topics.DLQ_SOURCE_TOPIC);
        String key = key(reason, topic == null ? "unknown" : topic);
        Long before = counts.get(key);
        long now = (before == null ? 0 : before) + 1;
        counts.put(key, now);
        listener.onUpdate(new ObservatoryUpdate(null, "dead-letter", 0,
                Map.of("reason", reason, "topic", topic == null ? "unknown" : topic, "count", now)));
    }

    static String key(String reason, String topic) {
        return reason + ObservatoryKeys.SEP + topic;
    }

    /**
     * The kind of problem without its particulars ("invalid TrainStep: loss NaN at step 7" →
     * "invalid TrainStep"), so reasons stay few enough to be a metric label.
     */
    static String reasonClass(String reason) {
        if (reason == null || reason.isBlank()) {
            return "unknown";
        }
        int colon = reason.indexOf(':');
        String kind = (colon > 0 ? reason.substring(0, colon) : reason).strip();
        return kind.length() > MAX_REASON ? kind.substring(0, MAX_REASON) : kind;
    }
}
