package io.babelflow.streams.observatory;

import io.babelflow.events.EvalResult;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.DecodingProcessor;
import io.babelflow.streams.Routed;
import io.babelflow.streams.StreamsApp;
import io.babelflow.streams.StreamsLifecycle;
import java.util.Properties;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The observatory Kafka Streams app: per-run timelines for the live page and the metrics.
 * <pre>
 * runs, run-ends, train-steps, eval-results, working-language,      decode ─▶ [dead letters]
 * neuron-specialization, stage-changes, mixture-control ──────────▶ ─▶ merge ─▶ timeline
 * dead-letter ─▶ dead-letter-count
 * </pre>
 * Every input but the dead letters is keyed by runId with the same partition count, so one run's
 * timeline is built in one task and any instance finds its owner by the key's metadata. The app
 * reads but never writes the dead-letter topic except for its own undecodable input.
 */
public final class ObservatoryApp implements StreamsApp {
    public static final String DEFAULT_APPLICATION_ID = "babelflow-observatory";
    /** Mixture updates and stage changes kept per run for the page's markers. */
    public static final int EVENTS_KEPT = 2_000;
    private static final String APP = "observatory";

    private final StreamsLifecycle lifecycle;

    private ObservatoryApp(StreamsLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public static Topology topology(ObservatoryListener listener) {
        StreamsBuilder builder = new StreamsBuilder();
        ObservatoryStores.addTo(builder);
        KStream<String, SpecificRecord> events = decoded(builder, Topics.RUNS, RunStarted::getRunId, true)
                .merge(decoded(builder, Topics.RUN_ENDS, RunEnded::getRunId, false), Named.as("merge-run-ends"))
                .merge(decoded(builder, Topics.TRAIN_STEPS, TrainStep::getRunId, false), Named.as("merge-train-steps"))
                .merge(decoded(builder, Topics.EVAL_RESULTS, EvalResult::getRunId, false), Named.as("merge-eval-results"))
                .merge(decoded(builder, Topics.WORKING_LANGUAGE, WorkingLanguage::getRunId, false),
                        Named.as("merge-working-language"))
                .merge(decoded(builder, Topics.NEURON_SPECIALIZATION, NeuronSpecialization::getRunId, false),
                        Named.as("merge-neuron-specialization"))
                .merge(decoded(builder, Topics.STAGE_CHANGES, StageChange::getRunId, false),
                        Named.as("merge-stage-changes"))
                .merge(decoded(builder, Topics.MIXTURE_CONTROL, MixtureUpdate::getRunId, true),
                        Named.as("merge-mixture-control"));
        events.process(() -> new TimelineProcessor(listener, EVENTS_KEPT), Named.as("timeline"),
                ObservatoryStores.RUNS, ObservatoryStores.SERIES, ObservatoryStores.BUCKETS, ObservatoryStores.EVENTS,
                ObservatoryStores.LAYERS);
        builder.stream(Topics.DEAD_LETTER.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("dead-letter-source"))
                .process(() -> new DeadLetterCounter(listener), Named.as("dead-letter-count"),
                        ObservatoryStores.DEAD_LETTERS);
        return builder.build();
    }

    /** A runId-keyed event topic decoded; unusable records go to the dead-letter topic. */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> KStream<String, SpecificRecord> decoded(StreamsBuilder builder,
            Topic<String, T> topic, Function<T, String> key, boolean tombstones) {
        String name = topic.name().substring(topic.name().indexOf('.') + 1);
        AvroSerde<T> serde = AvroSerde.of(topic.valueType());
        KStream<String, Routed<T>> routed = builder.stream(topic.name(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
                .process(() -> new DecodingProcessor<>(serde, key, ObservatoryApp::checkRunId, tombstones, APP),
                        Named.as(name + "-decode"));
        return (KStream<String, SpecificRecord>) (KStream<String, ?>) DeadLetters.divert(routed, name + "-decode");
    }

    private static String checkRunId(SpecificRecord event) {
        Object run = event.get(event.getSchema().getField("runId").pos());
        return run == null || run.toString().isEmpty() ? "empty runId" : null;
    }

    /**
     * Starts the app and returns at once. {@code streamsConfig} should carry
     * {@code application.server} (the HTTP address of this instance's {@code serve}) so other
     * instances can forward queries for the runs this one owns.
     */
    public static ObservatoryApp start(Properties streamsConfig, ObservatoryListener listener) {
        KafkaStreams streams = new KafkaStreams(topology(listener), streamsConfig);
        ObservatoryApp app = new ObservatoryApp(new StreamsLifecycle(streams, streamsConfig, APP));
        app.lifecycle.start();
        return app;
    }

    public KafkaStreams streams() {
        return lifecycle.streams();
    }

    @Override
    public void awaitStop() throws InterruptedException {
        lifecycle.awaitStop();
    }

    @Override
    public void close() {
        lifecycle.close(() -> { });
    }
}
