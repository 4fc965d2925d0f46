package io.babelflow.ops.bench;

import static io.babelflow.ops.bench.SpecializationReport.median;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.ops.bench.SpecializationReport.Backlog;
import io.babelflow.ops.bench.SpecializationReport.Compute;
import io.babelflow.ops.bench.SpecializationReport.Live;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.specialization.window.ActivationValidator;
import io.babelflow.streams.specialization.window.LayerCounts;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.streams.specialization.window.WindowAnalysis;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The specialization benchmark's measurements on one app, one state dir, a producer and an output
 * watcher: a live window, a backlog window, a raw consume, and the app's computations in this JVM.
 */
final class SpecializationMeasurements implements AutoCloseable {
    private static final Duration OUTPUT_TIMEOUT = Duration.ofMinutes(5);
    static final int RAW_READS = 3;
    private static final AvroSerde<ActivationStats> STATS = AvroSerde.of(ActivationStats.class);
    private static final AvroSerde<RunStarted> RUNS = AvroSerde.of(RunStarted.class);
    /** The app's defaults, reading training windows: what the load generator emits. */
    private static final SpecializationConfig CONFIG = SpecializationConfig.DEFAULTS.withStatsSource(StatsSource.TRAIN);

    final ClientConfig client;
    static final Duration PRODUCER_MAX_BLOCK = Duration.ofSeconds(60);
    final Properties streamsConfig;
    final Map<String, Object> producerConfig;
    final LoadShape shape;
    final Consumer<String> log;
    final KafkaProducer<byte[], byte[]> producer;
    final NeuronSpecializationWatcher outputs;
    final long runStamp = System.currentTimeMillis();
    SpecializationApp app;

    SpecializationMeasurements(ClientConfig client, String appId, Path stateDir, LoadShape shape, Map<String, ?> overrides,
            Consumer<String> log) {
        this.client = client;
        this.shape = shape;
        this.log = log;
        TopicProvisioner.ensureTopics(client, (short) 1);
        Map<String, Object> extra = new HashMap<>(client.overrides());
        extra.putAll(overrides);
        streamsConfig = StreamsDefaults.base(client.bootstrapServers(), appId, stateDir.toString(),
                extra);
        // the telemetry sink fails fast into its spool; here a full buffer should just wait
        producerConfig = new HashMap<>(TelemetryProducerConfig.of(client, PRODUCER_MAX_BLOCK));
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "babelflow-specialization-bench");
        producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        outputs = new NeuronSpecializationWatcher(client, shape);
        StartAtEnd.commit(client, appId, SpecializationApp.topology(CONFIG));
        app = startApp();
    }

    SpecializationApp startApp() {
        return SpecializationApp.start(streamsConfig, CONFIG, new InetSocketAddress("127.0.0.1", 0));
    }

    Live live(int ranks, int round, boolean warmup) throws Exception {
        Window window = Window.generate(shape, ranks, 1, runId(ranks, warmup ? "warmup" : "live", round));
        send(window.prelude);
        outputs.expect(window.runId);
        Sent sent = send(window.body);
        NeuronSpecializationWatcher.Arrival arrival = outputs.await(window.runId, shape.layers(), OUTPUT_TIMEOUT);
        Live l = new Live(ranks, round, warmup, window.activations, window.activationBytes,
                seconds(sent.firstActivationNanos, sent.ackedNanos),
                seconds(sent.firstActivationNanos, arrival.lastNanos()),
                seconds(sent.ackedNanos, arrival.lastNanos()));
        log.accept(String.format("%d rank(s) live %s: %d records, %.1f MB: produced in %.2f s, last output after"
                        + " %.2f s (%.2f s after the last ack)", ranks, warmup ? "warm-up" : "round " + round,
                l.records(), l.bytes() / 1e6, l.produceSeconds(), l.latencySeconds(), l.tailSeconds()));
        return l;
    }

    /** {@code windows} consecutive windows of one run produced while the app is stopped, then caught up on. */
    Backlog backlog(int ranks, int windows, int round, int computeRounds, List<Compute> compute) throws Exception {
        app.close();
        Window window = Window.generate(shape, ranks, windows, runId(ranks, "backlog", round));
        send(window.prelude);
        outputs.expect(window.runId);
        Sent sent = send(window.body);
        long start = System.nanoTime();
        app = startApp();
        long running = awaitRunning(app);
        NeuronSpecializationWatcher.Arrival arrival = outputs.await(window.runId, shape.layers() * windows,
                OUTPUT_TIMEOUT);
        Map<String, Double> written = writtenMegabytes(app.streams(),
                String.valueOf(streamsConfig.get("application.id")));
        // the floor any consumer pays: best of three reads (one read alone varied 2.6x between rounds)
        double raw = Double.MAX_VALUE;
        for (int i = 0; i < RAW_READS; i++) {
            raw = Math.min(raw, rawConsume(sent, window.runId, window.activations));
        }
        Backlog b = new Backlog(ranks, windows, round, window.activations, window.activationBytes,
                seconds(start, running), seconds(running, arrival.lastNanos()), raw, written);
        log.accept(String.format("%d rank(s) backlog of %d window(s), round %d: start -> RUNNING %.2f s, RUNNING ->"
                        + " last output %.2f s (%.0f records/s, %.1f MB/s); raw consume + decode %.2f s (%.1f MB/s),"
                        + " ratio %.2f", ranks, windows, round, b.startToRunningSeconds(), b.processSeconds(),
                b.recordsPerSecond(), b.megabytesPerSecond(), b.rawSeconds(), b.rawMegabytesPerSecond(), b.ratio()));
        log.accept("  the app wrote (MB): " + written);
        if (computeRounds > 0) {
            Compute c = compute(ranks, Window.generate(shape, ranks, 1, runId(ranks, "compute", round)), computeRounds);
            log.accept(String.format("%d rank(s) in-JVM compute: decode %.3f s, validate %.3f s, merge %.3f s,"
                    + " window analysis %.3f s", ranks, c.decodeSeconds(), c.validateSeconds(), c.mergeSeconds(),
                    c.analysisSeconds()));
            compute.add(c);
        }
        return b;
    }

    /** Bytes the app's producers sent, per topic, in MB (producer-topic-metrics byte-total). */
    static Map<String, Double> writtenMegabytes(KafkaStreams streams, String appId) {
        Map<String, Double> out = new TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("producer-topic-metrics") && name.name().equals("byte-total")) {
                String topic = name.tags().get("topic");
                if (topic.startsWith(appId + "-")) {
                    topic = topic.substring(appId.length() + 1);
                }
                out.merge(topic, ((Number) metric.metricValue()).doubleValue() / 1e6, Double::sum);
            }
        });
        return out;
    }

    String runId(int ranks, String mode, int round) {
        return "bench-specialization-" + runStamp + "-r" + ranks + "-" + mode + round;
    }

    long awaitRunning(SpecializationApp started) throws InterruptedException {
        long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
        while (started.streams().state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || !started.streams().state().isRunningOrRebalancing()
                    && started.streams().state() != KafkaStreams.State.CREATED) {
                throw new IllegalStateException("the app did not reach RUNNING: " + started.streams().state());
            }
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    /** Sends records in order and waits for every acknowledgement. */
    Sent send(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        List<Future<RecordMetadata>> activations = new ArrayList<>();
        long firstActivation = 0;
        for (ProducerRecord<byte[], byte[]> r : records) {
            boolean activation = r.topic().equals(Topics.ACTIVATION_STATS.name());
            if (activation && firstActivation == 0) {
                firstActivation = System.nanoTime();
            }
            Future<RecordMetadata> f = producer.send(r);
            if (activation) {
                activations.add(f);
            }
        }
        producer.flush();
        long acked = System.nanoTime();
        Map<TopicPartition, long[]> ranges = new HashMap<>();
        for (Future<RecordMetadata> f : activations) {
            RecordMetadata m = f.get(); // flush returned: done; throws if the broker refused it
            long[] range = ranges.computeIfAbsent(new TopicPartition(m.topic(), m.partition()),
                    p -> new long[] {Long.MAX_VALUE, -1});
            range[0] = Math.min(range[0], m.offset());
            range[1] = Math.max(range[1], m.offset());
        }
        return new Sent(firstActivation, acked, ranges);
    }

    /** A plain consumer reads the window's activation records from their offsets and decodes them. */
    double rawConsume(Sent sent, String runId, long expected) {
        Properties props = client.properties(Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                streamsConfig.get("consumer." + ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.partitionsFor(Topics.ACTIVATION_STATS.name()); // metadata and connection before the clock
            consumer.assign(sent.ranges.keySet());
            sent.ranges.forEach((p, range) -> consumer.seek(p, range[0]));
            String prefix = runId + "/";
            long decoded = 0;
            long checksum = 0;
            long start = System.nanoTime();
            long deadline = start + OUTPUT_TIMEOUT.toNanos();
            while (decoded < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw consumer read " + decoded + " of " + expected + " records");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long[] range = sent.ranges.get(new TopicPartition(r.topic(), r.partition()));
                    if (r.offset() <= range[1] && new String(r.key(), StandardCharsets.UTF_8)
                            .startsWith(prefix)) {
                        ActivationStats s = STATS.decode(r.value());
                        checksum += s.getActiveCounts().remaining() + s.getLayer();
                        decoded++;
                    }
                }
            }
            double seconds = seconds(start, System.nanoTime());
            if (checksum == 0) {
                throw new IllegalStateException("decoded nothing");
            }
            return seconds;
        }
    }

    /** Decode, validate, merge and analyse the window's records as the app does, each timed, median of rounds. */
    Compute compute(int ranks, Window window, int rounds) {
        List<Double> decode = new ArrayList<>();
        List<Double> validate = new ArrayList<>();
        List<Double> merge = new ArrayList<>();
        List<Double> analyse = new ArrayList<>();
        WindowAnalysis analysis = new WindowAnalysis(SpecializationConfig.DEFAULTS.lape(), StatsSource.TRAIN);
        RunStarted run = RUNS.decode(window.prelude.get(0).value());
        for (int round = -1; round < rounds; round++) { // round -1 warms the JIT up and is not kept
            long t0 = System.nanoTime();
            List<ActivationStats> stats = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : window.body) {
                if (r.topic().equals(Topics.ACTIVATION_STATS.name())) {
                    stats.add(STATS.decode(r.value()));
                }
            }
            long t1 = System.nanoTime();
            for (ActivationStats s : stats) {
                String problem = ActivationValidator.checkRecord(s);
                if (problem != null) {
                    throw new IllegalStateException("generated record invalid: " + problem);
                }
            }
            long t2 = System.nanoTime();
            SortedMap<Integer, LayerCounts> layers = new TreeMap<>();
            for (ActivationStats s : stats) {
                layers.computeIfAbsent(s.getLayer(), l -> new LayerCounts(s.getNeurons())).add(s);
            }
            long t3 = System.nanoTime();
            ActivationStats first = stats.get(0);
            int selected = analysis.analyse(new WindowAnalysis.Window(run.getRunId(), first.getWindowStart(),
                            first.getWindowEnd(), true, List.of()), layers, run, Map.of(), true, System.currentTimeMillis())
                    .map(o -> o.evidence().selected()).orElse(0);
            long t4 = System.nanoTime();
            if (selected == 0) {
                throw new IllegalStateException("LAPE selected nothing");
            }
            if (round < 0) {
                continue;
            }
            decode.add(seconds(t0, t1));
            validate.add(seconds(t1, t2));
            merge.add(seconds(t2, t3));
            analyse.add(seconds(t3, t4));
        }
        return new Compute(ranks, window.activations, median(decode, d -> d), median(validate, d -> d),
                median(merge, d -> d), median(analyse, d -> d));
    }

    @Override
    public void close() {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            outputs.close();
            producer.close(Duration.ofSeconds(30));
        }
    }

    record Sent(long firstActivationNanos, long ackedNanos, Map<TopicPartition, long[]> ranges) {
    }

    /** One run of consecutive windows as the load generator sends it, captured in memory before the clock starts. */
    static final class Window {
        final String runId;
        final List<ProducerRecord<byte[], byte[]>> prelude = new ArrayList<>(); // RunStarted per rank
        final List<ProducerRecord<byte[], byte[]>> body = new ArrayList<>();    // steps, activations, RunEnded
        long activations;
        long activationBytes;

        private Window(String runId) {
            this.runId = runId;
        }

        static Window generate(LoadShape shape, int ranks, int windows, String runId) throws InterruptedException {
            LoadShape one = new LoadShape(runId, shape.layers(), shape.neurons(), shape.languages(), ranks, 0,
                    (long) windows * shape.statsEvery(), shape.statsEvery(), shape.seed() + runId.hashCode());
            MockProducer<byte[], byte[]> capture = new MockProducer<>(true, null, new ByteArraySerializer(),
                    new ByteArraySerializer());
            new LoadGenerator(one).run(capture, line -> { });
            Window w = new Window(runId);
            for (ProducerRecord<byte[], byte[]> r : capture.history()) {
                if (r.topic().equals(Topics.RUNS.name())) {
                    w.prelude.add(r);
                } else {
                    w.body.add(r);
                    if (r.topic().equals(Topics.ACTIVATION_STATS.name())) {
                        w.activations++;
                        w.activationBytes += r.value().length;
                    }
                }
            }
            return w;
        }
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }
}
