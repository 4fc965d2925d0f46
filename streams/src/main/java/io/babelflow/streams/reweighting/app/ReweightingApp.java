package io.babelflow.streams.reweighting.app;

import io.babelflow.events.EvalResult;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.DecodingProcessor;
import io.babelflow.streams.InputChecks;
import io.babelflow.streams.Routed;
import io.babelflow.streams.StreamsApp;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.StreamsLifecycle;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reweighting Kafka Streams app: runs each feedback run's corpus-mixture policy on its telemetry
 * and sends the weights it decides to the trainer.
 * <pre>
 * runs ──────────▶ runs-decode ──────────┐
 * train-steps ───▶ train-steps-decode ───┤  merge   ┌─▶ [dead letters]
 * eval-results ──▶ eval-results-decode ──┼────────▶ reweighting-controller ─┤
 * stage-changes ─▶ stage-changes-decode ─┘   (stores, wall-clock punctuator) └─▶ mixture-control
 * </pre>
 * All four inputs are keyed by runId with the same partition count, so the topology is one
 * sub-topology without repartitioning: partition p of every input is one task, which owns the state
 * of the runs hashed to p. Rank merging, time and state are described at {@link ReweightingProcessor}.
 * NeuronSpecialization is not read: no policy uses it.
 */
public final class ReweightingApp implements StreamsApp {
    private static final Logger LOG = LoggerFactory.getLogger(ReweightingApp.class);
    public static final String DEFAULT_APPLICATION_ID = "babelflow-reweighting";
    /**
     * The app's commit interval. Under exactly-once a mixture update reaches the trainer only when the
     * transaction that wrote it commits, so each update waits up to one interval: at StreamsDefaults'
     * 100 ms the feedback p99 was 167 - 196 ms, over the 150 ms target (docs/performance.md). A commit
     * happens only when something was processed, so at a trainer's step rate a shorter interval adds
     * few transactions.
     */
    public static final int COMMIT_INTERVAL_MS = 50;
    /** Name of the processor that runs the controllers (and of its dead-letter branch nodes). */
    public static final String CONTROLLER = "reweighting-controller";

    private final StreamsLifecycle lifecycle;

    private ReweightingApp(StreamsLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /** {@link StreamsDefaults#base} with this app's commit interval; {@code extra} still wins over both. */
    public static Properties streamsConfig(String bootstrapServers, String applicationId, String stateDir,
            Map<String, ?> extra) {
        Map<String, Object> all = new HashMap<>();
        all.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        if (extra != null) {
            all.putAll(extra);
        }
        return StreamsDefaults.base(bootstrapServers, applicationId, stateDir, all);
    }

    public static Topology topology(ReweightingConfig config) {
        String app = config.appName();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(ReweightingStores.runs());
        builder.addStateStore(ReweightingStores.controllers());
        builder.addStateStore(ReweightingStores.stepProgress());
        builder.addStateStore(ReweightingStores.openSteps());

        KStream<String, Routed<SpecificRecord>> inputs =
                decoded(builder, Topics.RUNS, RunStarted::getRunId, FeedbackRun::problem, true, app)
                .merge(decoded(builder, Topics.TRAIN_STEPS, TrainStep::getRunId, InputChecks::trainStep, false, app),
                        Named.as("merge-train-steps"))
                .merge(decoded(builder, Topics.EVAL_RESULTS, EvalResult::getRunId, InputChecks::evalResult, false, app),
                        Named.as("merge-eval-results"))
                .merge(decoded(builder, Topics.STAGE_CHANGES, StageChange::getRunId, InputChecks::stageChange, false, app),
                        Named.as("merge-stage-changes"));

        KStream<String, Routed<MixtureUpdate>> decided = inputs.process(() -> new ReweightingProcessor(config),
                Named.as(CONTROLLER), ReweightingStores.ALL);
        DeadLetters.divert(decided, CONTROLLER)
                .to(Topics.MIXTURE_CONTROL.name(), Produced.with(Topics.MIXTURE_CONTROL.keySerde(),
                        Topics.MIXTURE_CONTROL.valueSerde()).withName("mixture-control-sink"));
        return builder.build();
    }

    /**
     * A decoded input; rejections stay in the stream (as {@link Routed.Reject}) for the controller
     * to count and pass to the one dead-letter sink.
     */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> KStream<String, Routed<SpecificRecord>> decoded(StreamsBuilder builder,
            Topic<String, T> topic, Function<T, String> key, Function<T, String> check, boolean tombstones, String app) {
        KStream<String, Routed<T>> routed = DecodingProcessor.decode(builder, topic, key, check, tombstones, app);
        // Routed is immutable and only read downstream, so a Routed<T> is a Routed<SpecificRecord>
        return (KStream<String, Routed<SpecificRecord>>) (KStream<String, ?>) routed;
    }

    /** Starts the app and returns at once; {@link #close()} stops it. */
    public static ReweightingApp start(Properties streamsConfig, ReweightingConfig config) {
        ReweightingApp app = new ReweightingApp(new StreamsLifecycle(
                new KafkaStreams(topology(config), streamsConfig), streamsConfig, "reweighting"));
        app.lifecycle.start();
        LOG.info("reweighting app started");
        return app;
    }

    /** Starts the app and blocks until the JVM shuts down or the app stops; then closes it cleanly. */
    public static void run(Properties streamsConfig, ReweightingConfig config) throws InterruptedException {
        ReweightingApp app = start(streamsConfig, config);
        StreamsApp.runUntilStopped(app, "reweighting");
    }

    public KafkaStreams streams() {
        return lifecycle.streams();
    }

    /** Counters since this instance started, summed over its tasks (see {@link ReweightingMetrics}). */
    public ReweightingMetrics metrics() {
        return ReweightingMetrics.from(lifecycle.streams().metrics());
    }

    /** Blocks until the Kafka Streams client is not running (closed or failed). */
    public void awaitStop() throws InterruptedException {
        lifecycle.awaitStop();
    }

    /** Stops the Streams client, committing and closing its stores; idempotent. */
    @Override
    public void close() {
        lifecycle.close(() -> { }); // leaves the group, so a restart gets its partitions at once
    }
}
