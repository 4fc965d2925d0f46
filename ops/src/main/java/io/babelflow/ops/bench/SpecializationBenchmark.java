package io.babelflow.ops.bench;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.KafkaTelemetrySink;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.StreamsDefaults;
import io.babelflow.streams.specialization.ActivationProbabilities;
import io.babelflow.streams.specialization.ActivationValidator;
import io.babelflow.streams.specialization.LapeSelector;
import io.babelflow.streams.specialization.LayerCounts;
import io.babelflow.streams.specialization.SpecializationApp;
import io.babelflow.streams.specialization.SpecializationConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
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
 * The specialization app end to end on a real broker: one statistics window of a model shape
 * (7B: 32 layers x 11008 neurons x 8 languages, 704 KB per layer and rank) from the load
 * generator through the app to its NeuronSpecialization records, for each rank count asked.
 * <ul>
 * <li><b>live</b>: the app runs; the window is produced as fast as one producer can; the figure
 * is the time from sending the window's first activation record to the arrival (read_committed)
 * of its last NeuronSpecialization, and the tail after the last record was acknowledged.</li>
 * <li><b>backlog</b>: the window is produced while the app is stopped, then the app starts on
 * its state dir; the figure is the time from the Streams client reaching RUNNING to the last
 * output: the app alone, not the producer. Records/s and MB/s through the app follow from it.</li>
 * <li><b>raw</b>: a plain KafkaConsumer reads the same activation records and Avro-decodes them:
 * the floor any consumer of the topic pays; the backlog time over it is the app's ratio.</li>
 * <li><b>compute</b>: the app's own computations on the same records in this JVM, without Kafka
 * or state stores: decode, validation, merge by addition, LAPE selection; so the remainder of the
 * backlog time is Kafka and state (repartition round trip, changelogs, RocksDB, transactions).</li>
 * </ul>
 * The first live window of each rank count is a warm-up (JIT, internal topics) and is reported
 * apart. Outputs are checked against the generator's known neuron blocks: a benchmark of a
 * pipeline that answers wrongly would measure nothing. Figures are measured, never asserted.
 */
public final class SpecializationBenchmark {
    public static final int DEFAULT_ROUNDS = 3;
    private static final Duration OUTPUT_TIMEOUT = Duration.ofMinutes(5);
    private static final AvroSerde<ActivationStats> STATS = AvroSerde.of(ActivationStats.class);

    /** One window produced while the app ran. Seconds from the first activation record sent. */
    public record Live(int ranks, int round, boolean warmup, long records, long bytes, double produceSeconds,
            double latencySeconds, double tailSeconds) {
    }

    /**
     * One window produced while the app was stopped and processed from a standing start, and the
     * same records read by a plain consumer.
     *
     * @param startToRunningSeconds from {@code SpecializationApp.start} to the client's RUNNING state
     * @param processSeconds        from RUNNING to the arrival of the window's last output
     * @param rawSeconds            a plain KafkaConsumer reading and Avro-decoding the same records
     * @param writtenMegabytes      what the app's producer sent per topic for the window (the app
     *                              instance is fresh, so its producer's byte-total is this window's):
     *                              internal topics named without the application id
     */
    public record Backlog(int ranks, int round, long records, long bytes, double startToRunningSeconds,
            double processSeconds, double rawSeconds, Map<String, Double> writtenMegabytes) {
        public double recordsPerSecond() {
            return records / processSeconds;
        }

        public double megabytesPerSecond() {
            return bytes / processSeconds / 1e6;
        }

        public double rawMegabytesPerSecond() {
            return bytes / rawSeconds / 1e6;
        }

        /** How many times the raw consume + decode the app takes. */
        public double ratio() {
            return processSeconds / rawSeconds;
        }
    }

    /** The app's computations on one window in this JVM (median of rounds), no Kafka, no stores. */
    public record Compute(int ranks, long records, double decodeSeconds, double validateSeconds,
            double mergeSeconds, double lapeSeconds) {
        /** What the app computes per window: it decodes each record twice (intake, then merge). */
        public double appSeconds() {
            return 2 * decodeSeconds + validateSeconds + mergeSeconds + lapeSeconds;
        }
    }

    public record Result(LoadShape shape, Map<String, String> settings, List<Live> live, List<Backlog> backlog,
            List<Compute> compute) {
        /** One line per rank count: medians over the rounds. */
        public List<String> summary() {
            List<String> lines = new ArrayList<>();
            settings.forEach((k, v) -> lines.add(k + ": " + v));
            for (Compute c : compute) {
                int r = c.ranks();
                List<Live> l = live.stream().filter(x -> x.ranks() == r && !x.warmup()).toList();
                List<Backlog> b = backlog.stream().filter(x -> x.ranks() == r).toList();
                long bytes = b.isEmpty() ? 0 : b.get(0).bytes();
                lines.add(String.format("%d rank(s), %d records, %.1f MB per window:", r, c.records(), bytes / 1e6));
                lines.add(String.format("  live: first record sent -> last output %.2f s (median of %d; produce %.2f s,"
                                + " tail after last ack %.2f s)", median(l, Live::latencySeconds), l.size(),
                        median(l, Live::produceSeconds), median(l, Live::tailSeconds)));
                lines.add(String.format("  backlog: RUNNING -> last output %.2f s = %.0f records/s, %.1f MB/s"
                                + " (start -> RUNNING %.2f s)", median(b, Backlog::processSeconds),
                        median(b, Backlog::recordsPerSecond), median(b, Backlog::megabytesPerSecond),
                        median(b, Backlog::startToRunningSeconds)));
                lines.add(String.format("  raw consume + Avro decode %.2f s = %.1f MB/s; app / raw = %.1f",
                        median(b, Backlog::rawSeconds), median(b, Backlog::rawMegabytesPerSecond),
                        median(b, Backlog::ratio)));
                if (!b.isEmpty()) {
                    lines.add("  the app wrote per window (MB, median): " + b.get(0).writtenMegabytes().keySet().stream()
                            .map(t -> String.format("%s %.1f", t, median(b, x -> x.writtenMegabytes().getOrDefault(t, 0.0))))
                            .collect(Collectors.joining(", ")));
                }
                lines.add(String.format("  in-JVM compute: decode %.2f s (x2 in the app), validate %.2f s, merge %.2f s,"
                                + " LAPE %.2f s; sum %.2f s, the rest of the backlog time is Kafka and state",
                        c.decodeSeconds(), c.validateSeconds(), c.mergeSeconds(), c.lapeSeconds(), c.appSeconds()));
            }
            return lines;
        }
    }

    private SpecializationBenchmark() {
    }

    public static Result run(ClientConfig client, LoadShape shape, List<Integer> ranks, Consumer<String> log)
            throws Exception {
        return run(client, shape, ranks, DEFAULT_ROUNDS, Map.of(), log);
    }

    /**
     * Runs the benchmark.
     *
     * @param client the cluster to measure on, or null to start an embedded broker for the run
     * @param shape  layers, neurons, languages, statsEvery and seed of the windows (its runId, ranks
     *               and steps are replaced: one window per measurement, a fresh run each)
     * @param ranks  data-parallel rank counts to measure, e.g. [1, 8]
     * @param rounds measured windows per rank count and variant (after one live warm-up)
     * @param streamsOverrides Streams settings over the app's defaults, to measure a tuning (e.g.
     *               {@code statestore.cache.max.bytes}, {@code commit.interval.ms}); empty for the defaults
     */
    public static Result run(ClientConfig client, LoadShape shape, List<Integer> ranks, int rounds,
            Map<String, ?> streamsOverrides, Consumer<String> log) throws Exception {
        if (rounds < 1 || ranks.isEmpty() || ranks.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("need rounds >= 1 and rank counts >= 1, got " + rounds + ", " + ranks);
        }
        EmbeddedKafka embedded = null;
        if (client == null) {
            embedded = EmbeddedKafka.start();
            client = ClientConfig.of(embedded.bootstrapServers());
            log.accept("embedded broker on " + embedded.bootstrapServers());
        }
        Path stateDir = Files.createTempDirectory("babelflow-specialization-bench-");
        String appId = "babelflow-specialization-bench-" + System.currentTimeMillis();
        try (Session session = new Session(client, appId, stateDir, shape, streamsOverrides, log)) {
            Map<String, String> settings = settings(shape, embedded != null, session);
            settings.forEach((k, v) -> log.accept(k + ": " + v));
            List<Live> live = new ArrayList<>();
            List<Backlog> backlog = new ArrayList<>();
            List<Compute> compute = new ArrayList<>();
            for (int r : ranks) {
                live.add(session.live(r, 0, true));
                for (int round = 1; round <= rounds; round++) {
                    live.add(session.live(r, round, false));
                }
                for (int round = 1; round <= rounds; round++) {
                    backlog.add(session.backlog(r, round, round == rounds ? rounds : 0, compute));
                }
            }
            settings.put("load average at the end", String.format("%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            return new Result(shape, settings, live, backlog, compute);
        } finally {
            if (embedded != null) {
                embedded.close();
            } else {
                deleteInternalTopics(client, appId, log);
            }
            deleteRecursively(stateDir);
        }
    }

    private static Map<String, String> settings(LoadShape shape, boolean embedded, Session session) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("shape", String.format("%d layers x %d neurons x %d languages, %d KB per layer and rank",
                shape.layers(), shape.neurons(), shape.languages(), shape.activationPayloadBytes() / 1000));
        s.put("broker", embedded ? "embedded single-node KRaft in this JVM" : session.client.bootstrapServers());
        s.put("app", "SpecializationConfig.DEFAULTS (LAPE 0.95/0.01/0.95), "
                + session.streamsConfig.get("processing.guarantee") + ", commit "
                + session.streamsConfig.get("commit.interval.ms") + " ms, stream threads "
                + session.streamsConfig.getOrDefault("num.stream.threads", 1) + ", cache "
                + session.streamsConfig.getOrDefault("statestore.cache.max.bytes", "10485760 (default)")
                + " bytes, RocksDB bounded " + session.streamsConfig.getOrDefault(
                        "babelflow.rocksdb.total.bytes", "268435456 (default)")
                + " bytes; activation topic " + Topics.ACTIVATION_STATS.partitions()
                + " partitions, repartition by run " + Topics.RUNS.partitions());
        s.put("producer", "KafkaTelemetrySink.producerConfig (acks=all, idempotent, zstd, linger 20 ms, batch 256 KiB),"
                + " max.block.ms 60 s");
        s.put("jvm", String.format("Java %s, max heap %d MiB, %d cores", System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors()));
        s.put("load average at the start", String.format("%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return s;
    }

    /** One app on one state dir, a producer and an output watcher, for all the measurements. */
    private static final class Session implements AutoCloseable {
        final ClientConfig client;
        final Properties streamsConfig;
        final LoadShape shape;
        final Consumer<String> log;
        final KafkaProducer<byte[], byte[]> producer;
        final OutputWatcher outputs;
        final long runStamp = System.currentTimeMillis();
        SpecializationApp app;

        Session(ClientConfig client, String appId, Path stateDir, LoadShape shape, Map<String, ?> overrides,
                Consumer<String> log) {
            this.client = client;
            this.shape = shape;
            this.log = log;
            TopicProvisioner.ensureTopics(client, (short) 1);
            Map<String, Object> extra = new HashMap<>(client.overrides());
            extra.putAll(overrides);
            streamsConfig = StreamsDefaults.base(client.bootstrapServers(), appId, stateDir.toString(),
                    extra);
            Map<String, Object> producerConfig = new HashMap<>(KafkaTelemetrySink.producerConfig(client));
            // the telemetry sink fails fast into its spool; here a full buffer should just wait
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
            producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "babelflow-specialization-bench");
            producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
            outputs = new OutputWatcher(client, shape);
            app = startApp();
        }

        SpecializationApp startApp() {
            return SpecializationApp.start(streamsConfig, SpecializationConfig.DEFAULTS,
                    new InetSocketAddress("127.0.0.1", 0));
        }

        Live live(int ranks, int round, boolean warmup) throws Exception {
            Window window = Window.generate(shape, ranks, runId(ranks, warmup ? "warmup" : "live", round));
            send(window.prelude);
            outputs.expect(window.runId);
            Sent sent = send(window.body);
            OutputWatcher.Arrival arrival = outputs.await(window.runId, shape.layers(), OUTPUT_TIMEOUT);
            Live l = new Live(ranks, round, warmup, window.activations, window.activationBytes,
                    seconds(sent.firstActivationNanos, sent.ackedNanos),
                    seconds(sent.firstActivationNanos, arrival.lastNanos()),
                    seconds(sent.ackedNanos, arrival.lastNanos()));
            log.accept(String.format("%d rank(s) live %s: %d records, %.1f MB: produced in %.2f s, last output after"
                            + " %.2f s (%.2f s after the last ack)", ranks, warmup ? "warm-up" : "round " + round,
                    l.records(), l.bytes() / 1e6, l.produceSeconds(), l.latencySeconds(), l.tailSeconds()));
            return l;
        }

        Backlog backlog(int ranks, int round, int computeRounds, List<Compute> compute) throws Exception {
            app.close();
            Window window = Window.generate(shape, ranks, runId(ranks, "backlog", round));
            send(window.prelude);
            outputs.expect(window.runId);
            Sent sent = send(window.body);
            long start = System.nanoTime();
            app = startApp();
            long running = awaitRunning(app);
            OutputWatcher.Arrival arrival = outputs.await(window.runId, shape.layers(), OUTPUT_TIMEOUT);
            Map<String, Double> written = writtenMegabytes(app.streams(),
                    String.valueOf(streamsConfig.get("application.id")));
            double raw = rawConsume(sent, window.runId, window.activations);
            Backlog b = new Backlog(ranks, round, window.activations, window.activationBytes,
                    seconds(start, running), seconds(running, arrival.lastNanos()), raw, written);
            log.accept(String.format("%d rank(s) backlog round %d: start -> RUNNING %.2f s, RUNNING -> last output"
                            + " %.2f s (%.0f records/s, %.1f MB/s); raw consume + decode %.2f s (%.1f MB/s), ratio %.1f",
                    ranks, round, b.startToRunningSeconds(), b.processSeconds(), b.recordsPerSecond(),
                    b.megabytesPerSecond(), b.rawSeconds(), b.rawMegabytesPerSecond(), b.ratio()));
            log.accept("  the app wrote (MB): " + written);
            if (computeRounds > 0) {
                Compute c = compute(ranks, window, computeRounds);
                log.accept(String.format("%d rank(s) in-JVM compute: decode %.3f s, validate %.3f s, merge %.3f s,"
                        + " LAPE %.3f s", ranks, c.decodeSeconds(), c.validateSeconds(), c.mergeSeconds(),
                        c.lapeSeconds()));
                compute.add(c);
            }
            return b;
        }

        /** Bytes the app's producers sent, per topic, in MB (producer-topic-metrics byte-total). */
        static Map<String, Double> writtenMegabytes(KafkaStreams streams, String appId) {
            Map<String, Double> out = new java.util.TreeMap<>();
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
                        if (r.offset() <= range[1] && new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)
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

        /** Decode, validate, merge and select on the window's records, each timed, median of rounds. */
        Compute compute(int ranks, Window window, int rounds) {
            List<Double> decode = new ArrayList<>();
            List<Double> validate = new ArrayList<>();
            List<Double> merge = new ArrayList<>();
            List<Double> lape = new ArrayList<>();
            LapeSelector selector = new LapeSelector(SpecializationConfig.DEFAULTS.lape());
            List<String> languages = shape.languageIds();
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
                LayerCounts[] layers = new LayerCounts[shape.layers()];
                for (ActivationStats s : stats) {
                    LayerCounts counts = layers[s.getLayer()];
                    if (counts == null) {
                        counts = layers[s.getLayer()] = new LayerCounts(s.getNeurons());
                    }
                    counts.add(s.getLanguages(), s.getTokens().stream().mapToLong(Long::longValue).toArray(),
                            PackedFloats.unpack(s.getActiveCounts()));
                }
                long t3 = System.nanoTime();
                int[] ids = new int[layers.length];
                double[][] matrices = new double[layers.length][];
                for (int i = 0; i < layers.length; i++) {
                    ids[i] = i;
                    matrices[i] = layers[i].probabilities(languages);
                }
                int selected = selector.select(new ActivationProbabilities(languages, ids, matrices)).selected();
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
                lape.add(seconds(t3, t4));
            }
            return new Compute(ranks, window.activations, median(decode, d -> d), median(validate, d -> d),
                    median(merge, d -> d), median(lape, d -> d));
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
    }

    private record Sent(long firstActivationNanos, long ackedNanos, Map<TopicPartition, long[]> ranges) {
    }

    /** One run of one window as the load generator sends it, captured in memory before the clock starts. */
    private static final class Window {
        final String runId;
        final List<ProducerRecord<byte[], byte[]>> prelude = new ArrayList<>(); // RunStarted per rank
        final List<ProducerRecord<byte[], byte[]>> body = new ArrayList<>();    // steps, activations, RunEnded
        long activations;
        long activationBytes;

        private Window(String runId) {
            this.runId = runId;
        }

        static Window generate(LoadShape shape, int ranks, String runId) throws InterruptedException {
            LoadShape one = new LoadShape(runId, shape.layers(), shape.neurons(), shape.languages(), ranks, 0,
                    shape.statsEvery(), shape.statsEvery(), shape.seed() + runId.hashCode());
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

    /**
     * Reads the NeuronSpecialization topic (read_committed) from its end in a thread of its own,
     * noting when each run's records arrive, and checks each against the generator's layout.
     */
    private static final class OutputWatcher implements AutoCloseable {
        record Arrival(long firstNanos, long lastNanos, int records) {
        }

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private final LoadShape shape;
        private final Map<String, Arrival> arrivals = new HashMap<>();
        private final List<String> problems = new ArrayList<>();
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        OutputWatcher(ClientConfig client, LoadShape shape) {
            this.shape = shape;
            consumer = new KafkaConsumer<>(client.properties(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.NEURON_SPECIALIZATION.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before any window is sent
            thread = new Thread(this::loop, "specialization-bench-outputs");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(20));
                    long now = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        NeuronSpecialization s = Topics.NEURON_SPECIALIZATION.valueSerde().deserializer()
                                .deserialize(r.topic(), r.value());
                        String problem = check(s);
                        synchronized (this) {
                            if (problem != null) {
                                problems.add(problem);
                            }
                            Arrival a = arrivals.get(s.getRunId());
                            if (a != null) {
                                arrivals.put(s.getRunId(), new Arrival(a.records() == 0 ? now : a.firstNanos(), now,
                                        a.records() + 1));
                            }
                            notifyAll();
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException closing) {
                // close() woke the poll
            } catch (RuntimeException e) {
                failure = e;
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        /** The generator's layout: 1% blocks, one per language, then one for the primary and the first new one. */
        private String check(NeuronSpecialization s) {
            String where = s.getRunId() + " window " + s.getWindowEnd() + " layer " + s.getLayer();
            if (!s.getComplete() || !s.getMissingRanks().isEmpty()) {
                return where + " incomplete, missing ranks " + s.getMissingRanks();
            }
            int block = Math.max(1, shape.neurons() / 100);
            List<String> languages = shape.languageIds();
            for (var e : s.getSpecificNeurons().entrySet()) {
                int language = languages.indexOf(e.getKey());
                for (int id : e.getValue()) {
                    int owner = id / block;
                    boolean ok = owner == language || owner == languages.size() && language <= 1;
                    if (!ok) {
                        return where + ": neuron " + id + " assigned to " + e.getKey() + " is not in its block";
                    }
                }
            }
            return null;
        }

        synchronized void expect(String runId) {
            arrivals.put(runId, new Arrival(0, 0, 0));
        }

        synchronized Arrival await(String runId, int records, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (arrivals.get(runId).records() < records) {
                if (failure != null) {
                    throw new IllegalStateException("output reader failed", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(runId + ": " + arrivals.get(runId).records() + " of " + records
                            + " NeuronSpecialization records within " + timeout);
                }
                wait(Math.max(1, left / 1_000_000));
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("wrong outputs: " + problems.subList(0, Math.min(5, problems.size())));
            }
            return arrivals.get(runId);
        }

        @Override
        public void close() {
            running = false;
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
        }
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private static <T> double median(List<T> values, java.util.function.ToDoubleFunction<T> f) {
        double[] sorted = values.stream().mapToDouble(f).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** On a cluster of the user's, the benchmark's own repartition and changelog topics go away again. */
    private static void deleteInternalTopics(ClientConfig client, String appId, Consumer<String> log) {
        try (Admin admin = Admin.create(client.properties())) {
            List<String> internal = admin.listTopics().names().get().stream()
                    .filter(t -> t.startsWith(appId + "-")).collect(Collectors.toList());
            admin.deleteTopics(internal).all().get();
            log.accept("deleted the benchmark's internal topics " + internal);
        } catch (Exception e) {
            log.accept("could not delete the benchmark's internal topics (" + appId + "-*): " + e.getMessage());
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder that cannot be removed is not worth failing the benchmark for
        }
    }

    /**
     * {@code SpecializationBenchmark [bootstrap-servers|embedded] [ranks,...] [rounds] [streams.key=value ...]}:
     * the 7B shape (32 x 11008 x 8, one step per window) by default on an embedded broker, ranks 1
     * and 8, 3 rounds, the app's own Streams settings.
     */
    public static void main(String[] args) throws Exception {
        ClientConfig client = args.length > 0 && !args[0].equals("embedded") ? ClientConfig.of(args[0]) : null;
        List<Integer> ranks = args.length > 1 ? Stream.of(args[1].split(",")).map(String::trim).map(Integer::valueOf)
                .toList() : List.of(1, 8);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_ROUNDS;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            overrides.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        LoadShape shape = new LoadShape("bench", 32, 11008, 8, 1, 0, 1, 1, 1);
        Result result = run(client, shape, ranks, rounds, overrides, System.out::println);
        System.out.println();
        result.summary().forEach(System.out::println);
    }
}
