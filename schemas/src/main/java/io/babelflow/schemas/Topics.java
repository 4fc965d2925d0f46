package io.babelflow.schemas;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one registry of BabelFlow topics. Keys are strings: the runId, or "runId/layer" for
 * activation statistics so one run's layers spread over partitions.
 */
public final class Topics {
    /** Kafka's broker default for message.max.bytes (1 MiB plus batch overhead). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
    /** One layer of a 7B-shaped model (11008 neurons) x 16 languages x 2 float32 matrices is 1.4 MB; 8 MiB leaves room for wider models. */
    public static final int ACTIVATION_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    public static final Topic<String, RunStarted> RUNS = event("babelflow.runs", RunStarted.class, 3, true,
            "RunStarted per run: languages, model shape, feedback policy (compacted, keyed by runId)");
    public static final Topic<String, RunEnded> RUN_ENDS = event("babelflow.run-ends", RunEnded.class, 3, false,
            "RunEnded per run part, keyed by runId");
    public static final Topic<String, TrainStep> TRAIN_STEPS = event("babelflow.train-steps", TrainStep.class, 3, false,
            "per-step total and per-language training loss, keyed by runId");
    public static final Topic<String, ActivationStats> ACTIVATION_STATS = new Topic<>(
            "babelflow.activation-stats", Serdes.String(), AvroSerde.of(ActivationStats.class), ActivationStats.class, 6,
            Map.of("cleanup.policy", "delete", "max.message.bytes", String.valueOf(ACTIVATION_MAX_MESSAGE_BYTES)),
            "FFN activation counts and sums per layer, language and neuron, keyed by runId/layer");
    public static final Topic<String, WorkingLanguage> WORKING_LANGUAGE = event("babelflow.working-language",
            WorkingLanguage.class, 3, false, "logit-lens answer mass per layer and probe language, keyed by runId");
    public static final Topic<String, EvalResult> EVAL_RESULTS = event("babelflow.eval-results", EvalResult.class, 3, false,
            "held-out per-language loss at eval points, keyed by runId");
    public static final Topic<String, NeuronSpecialization> NEURON_SPECIALIZATION = event(
            "babelflow.neuron-specialization", NeuronSpecialization.class, 3, false,
            "language-specific and transferring neurons per layer and window, keyed by runId");
    public static final Topic<String, StageChange> STAGE_CHANGES = event("babelflow.stage-changes", StageChange.class, 3, false,
            "Babel Tower stage transitions of new languages, keyed by runId");
    public static final Topic<String, MixtureUpdate> MIXTURE_CONTROL = event("babelflow.mixture-control",
            MixtureUpdate.class, 3, true, "latest corpus mixture weights per run for the trainer (compacted, keyed by runId)");
    /** Records no app could process, unchanged, with headers naming the source topic and the reason. */
    public static final Topic<byte[], byte[]> DEAD_LETTER = new Topic<>("babelflow.dead-letter",
            Serdes.ByteArray(), Serdes.ByteArray(), byte[].class, 1,
            // a rejected activation record must fit whole
            Map.of("cleanup.policy", "delete", "max.message.bytes", String.valueOf(ACTIVATION_MAX_MESSAGE_BYTES)),
            "undecodable or invalid records with headers babelflow.dlq.* naming source and reason");

    /** Header names on dead-letter records. */
    public static final String DLQ_SOURCE_TOPIC = "babelflow.dlq.source-topic";
    public static final String DLQ_SOURCE_PARTITION = "babelflow.dlq.source-partition";
    public static final String DLQ_SOURCE_OFFSET = "babelflow.dlq.source-offset";
    public static final String DLQ_REASON = "babelflow.dlq.reason";
    public static final String DLQ_APP = "babelflow.dlq.app";

    private static final List<Topic<?, ?>> ALL = List.of(RUNS, RUN_ENDS, TRAIN_STEPS, ACTIVATION_STATS,
            WORKING_LANGUAGE, EVAL_RESULTS, NEURON_SPECIALIZATION, STAGE_CHANGES, MIXTURE_CONTROL, DEAD_LETTER);

    private Topics() {
    }

    public static List<Topic<?, ?>> all() {
        return ALL;
    }

    /** The topic that carries the given event type. */
    @SuppressWarnings("unchecked")
    public static <V extends SpecificRecord> Topic<String, V> forEvent(Class<V> type) {
        for (Topic<?, ?> t : ALL) {
            if (t.valueType() == type) {
                return (Topic<String, V>) t;
            }
        }
        throw new IllegalArgumentException("no topic carries " + type.getName());
    }

    public static Topic<?, ?> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown topic " + name));
    }

    /** Activation statistics are keyed by run and layer so a run's layers spread over partitions. */
    public static String activationKey(String runId, int layer) {
        return runId + "/" + layer;
    }

    private static <V extends SpecificRecord> Topic<String, V> event(String name, Class<V> type, int partitions,
            boolean compacted, String description) {
        Serde<V> serde = AvroSerde.of(type);
        return new Topic<>(name, Serdes.String(), serde, type, partitions,
                Map.of("cleanup.policy", compacted ? "compact" : "delete"), description);
    }
}
