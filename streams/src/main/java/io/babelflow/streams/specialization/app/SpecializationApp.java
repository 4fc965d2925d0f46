package io.babelflow.streams.specialization.app;

import io.babelflow.events.EvalResult;
import io.babelflow.events.RunStarted;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.DeadLetters;
import io.babelflow.streams.DecodingProcessor;
import io.babelflow.streams.InputChecks;
import io.babelflow.streams.StreamsApp;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.StreamsLifecycle;
import io.babelflow.streams.specialization.query.SpecializationHttpServer;
import io.babelflow.streams.specialization.query.SpecializationQueries;
import io.babelflow.streams.specialization.stage.StageEvidence;
import io.babelflow.streams.specialization.window.BinaryStateSerdes;
import io.babelflow.streams.specialization.window.LayerPiece;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Properties;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The specialization Kafka Streams app: language-specific and language-transferring FFN neurons
 * (LAPE) per run, layer and window, the working language of each new language, and its Babel
 * Tower stage.
 * <pre>
 * activation-stats ─▶ activation-intake ─▶ rank-merge ─▶ [dead letters] ─▶ repartition by runId ─┐
 *                     (decode, check)      (ranks of a layer added up)                            │
 * runs ─────────────▶ runs-decode ────────▶ [dead letters] ─▶ run-registry                        │
 *                                                                                                 ▼
 *                                 window-merge (LAPE on close) ─▶ [dead letters]
 *                                   ├─▶ neuron-specialization
 *                                   └─▶ window evidence─┐
 * working-language ─▶ decode ─▶ working-language-share ─┼─▶ stage-detector ─▶ stage-changes
 * eval-results ─────▶ decode ─┬▶ held-out-loss-slope ───┘
 * train-steps ──────▶ decode ─┘   (weights in force: when each language was introduced)
 * </pre>
 * Everything after the repartition is one sub-topology: the runs, working-language,
 * eval-results and train-steps topics are keyed by runId with as many partitions as the repartition topic, so
 * a run's RunStarted, statistics and stage evidence meet in one task and its stores.
 */
public final class SpecializationApp implements StreamsApp {
    private static final Logger LOG = LoggerFactory.getLogger(SpecializationApp.class);
    public static final String DEFAULT_APPLICATION_ID = "babelflow-specialization";
    /**
     * Name of the repartition topic's DSL node; the topic is {@code <application.id>-layer-pieces-by-run-repartition}.
     * It carries {@link io.babelflow.streams.specialization.window.LayerPiece}s, not ActivationStats.
     */
    public static final String ACTIVATION_REPARTITION = "layer-pieces-by-run";

    /**
     * Record cache per stream thread unless configured. The merges' stores hold record sources
     * only (a few bytes a layer); the large cached values are the neuron history of a closing 7B
     * window (32 layers x 176 KB), which Kafka's 10 MB default would evict mid-window. The benchmarks
     * in docs/performance.md ran with this value.
     */
    public static final long CACHE_MAX_BYTES = 64L * 1024 * 1024;

    private final StreamsLifecycle lifecycle;
    private final SpecializationHttpServer http;

    private SpecializationApp(StreamsLifecycle lifecycle, SpecializationHttpServer http) {
        this.lifecycle = lifecycle;
        this.http = http;
    }

    public static Topology topology(SpecializationConfig config) {
        String app = config.appName();
        StreamsBuilder builder = new StreamsBuilder();
        SpecializationStores.addTo(builder);

        KStream<String, LayerPiece> pieces = DeadLetters.divert(DeadLetters.divert(builder
                .stream(Topics.ACTIVATION_STATS.name(), raw("activation-stats-source"))
                .process(() -> new ActivationIntakeProcessor(app, config.statsSource()), Named.as("activation-intake")), "activation-intake")
                .process(() -> new RankMergeProcessor(config), Named.as("rank-merge"), SpecializationStores.RANK_PARTIALS),
                "rank-merge")
                .repartition(Repartitioned.<String, LayerPiece>as(ACTIVATION_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(BinaryStateSerdes.LAYER_PIECE)
                        .withNumberOfPartitions(Topics.RUNS.partitions()));

        decoded(builder, Topics.RUNS, RunStarted::getRunId, InputChecks::runStarted, true, app)
                .process(RunRegistryProcessor::new, Named.as("run-registry"), SpecializationStores.RUNS);

        KStream<String, ClosedWindow> closed = DeadLetters.divert(pieces.process(
                () -> new WindowMergeProcessor(config), Named.as("window-merge"),
                SpecializationStores.RUNS, SpecializationStores.WINDOW_SOURCES, SpecializationStores.OPEN_WINDOWS,
                SpecializationStores.RUN_PROGRESS, SpecializationStores.NEURON_HISTORY,
                SpecializationStores.LAYER_SPECIALIZATION), "window-merge");
        closed.flatMapValues(ClosedWindow::layers, Named.as("window-layers"))
                .to(Topics.NEURON_SPECIALIZATION.name(), produced(Topics.NEURON_SPECIALIZATION, "neuron-specialization-sink"));
        KStream<String, StageEvidence> windowEvidence =
                closed.mapValues(ClosedWindow::evidence, Named.as("window-signal"));

        KStream<String, StageEvidence> shares = decoded(builder, Topics.WORKING_LANGUAGE, WorkingLanguage::getRunId,
                InputChecks::workingLanguage, false, app)
                .process(WorkingLanguageProcessor::new, Named.as("working-language-share"),
                        SpecializationStores.RUNS, SpecializationStores.WORKING_LANGUAGE);
        // TrainStep's weights in force tell when a language was introduced: its loss trajectory starts there
        KStream<String, SpecificRecord> steps = decoded(builder, Topics.TRAIN_STEPS, TrainStep::getRunId,
                InputChecks::trainStep, false, app).mapValues(s -> (SpecificRecord) s, Named.as("train-steps-as-loss-input"));
        KStream<String, StageEvidence> losses = decoded(builder, Topics.EVAL_RESULTS, EvalResult::getRunId,
                InputChecks::evalResult, false, app).mapValues(e -> (SpecificRecord) e, Named.as("evals-as-loss-input"))
                .merge(steps, Named.as("merge-loss-inputs"))
                .process(() -> new HeldOutLossProcessor(config.lossSlopePoints(), config.stages().loss()),
                        Named.as("held-out-loss-slope"), SpecializationStores.HELD_OUT_LOSS);

        windowEvidence.merge(shares, Named.as("merge-share-signals")).merge(losses, Named.as("merge-loss-signals"))
                .process(() -> new StageProcessor(config.stages()), Named.as("stage-detector"),
                        SpecializationStores.RUNS, SpecializationStores.RUN_SUMMARY, SpecializationStores.STAGE_TIMELINE)
                .to(Topics.STAGE_CHANGES.name(), produced(Topics.STAGE_CHANGES, "stage-changes-sink"));
        return builder.build();
    }

    /** Reads a runId-keyed event topic and decodes it, diverting what is unusable. */
    private static <T extends SpecificRecord> KStream<String, T> decoded(StreamsBuilder builder, Topic<String, T> topic,
            Function<T, String> key, Function<T, String> check, boolean tombstones, String app) {
        return DeadLetters.divert(DecodingProcessor.decode(builder, topic, key, check, tombstones, app),
                DecodingProcessor.nodeName(topic) + "-decode");
    }

    private static Consumed<byte[], byte[]> raw(String name) {
        return Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name);
    }

    private static <V> Produced<String, V> produced(Topic<String, V> topic, String name) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }

    /**
     * Starts the app and its query server on {@code http} (port 0 picks a free one) and returns
     * at once; {@link #close()} stops both. The HTTP address becomes {@code application.server}
     * so instances can point queries for another instance's runs at it.
     */
    public static SpecializationApp start(Properties streamsConfig, SpecializationConfig config, InetSocketAddress http) {
        SpecializationHttpServer server;
        try {
            server = SpecializationHttpServer.bind(http);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + http, e);
        }
        Properties props = new Properties();
        props.putAll(streamsConfig);
        props.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, CACHE_MAX_BYTES);
        props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, server.hostInfo().host() + ":" + server.hostInfo().port());
        KafkaStreams streams;
        try {
            streams = new KafkaStreams(topology(config), props);
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        SpecializationApp app = new SpecializationApp(new StreamsLifecycle(streams, props, "specialization"), server);
        server.start(SpecializationQueries.of(streams, server.hostInfo()));
        app.lifecycle.start();
        LOG.info("specialization app started; queries on http://{}:{}/", server.hostInfo().host(), server.hostInfo().port());
        return app;
    }

    /** Starts the app and blocks until the JVM shuts down or the app stops; then closes it cleanly. */
    public static void run(Properties streamsConfig, SpecializationConfig config, InetSocketAddress http)
            throws InterruptedException {
        SpecializationApp app = start(streamsConfig, config, http);
        StreamsApp.runUntilStopped(app, "specialization");
    }

    public KafkaStreams streams() {
        return lifecycle.streams();
    }

    public InetSocketAddress httpAddress() {
        return http.address();
    }

    /** Blocks until the Kafka Streams client is not running (closed or failed). */
    public void awaitStop() throws InterruptedException {
        lifecycle.awaitStop();
    }

    /**
     * Stops the query server, then the Streams client (committing and closing its stores); idempotent.
     * Leaves the consumer group unless static membership is configured: see
     * {@link StreamsDefaults#closeOptions}.
     */
    @Override
    public void close() {
        lifecycle.close(http::stop);
    }
}
