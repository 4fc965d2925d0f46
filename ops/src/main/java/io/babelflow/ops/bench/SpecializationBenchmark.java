package io.babelflow.ops.bench;

import io.babelflow.ops.bench.SpecializationReport.Backlog;
import io.babelflow.ops.bench.SpecializationReport.Compute;
import io.babelflow.ops.bench.SpecializationReport.Live;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.BoundedMemoryRocksDbConfig;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.app.SpecializationApp;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

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
 * or state stores: decode, validation, merge by addition, and the app's {@code WindowAnalysis}
 * itself (LAPE selection, transferring neurons, overlap, records); so the remainder of the backlog
 * time is Kafka and state (repartition round trip, changelogs, RocksDB, transactions).</li>
 * </ul>
 * The first live window of each rank count is a warm-up (JIT, internal topics) and is reported
 * apart. Outputs are checked against the generator's known neuron blocks: a benchmark of a
 * pipeline that answers wrongly would measure nothing. Figures are measured, never asserted.
 * The measurements are {@link SpecializationMeasurements}, the figures a {@link SpecializationReport}.
 */
public final class SpecializationBenchmark {
    public static final int DEFAULT_ROUNDS = 3;
    /** Windows in each backlog: enough that the backlog's ratio is one of throughputs, not of one window's latency. */
    public static final int DEFAULT_BACKLOG_WINDOWS = 4;

    private SpecializationBenchmark() {
    }

    public static SpecializationReport run(ClientConfig client, LoadShape shape, List<Integer> ranks, Consumer<String> log)
            throws Exception {
        return run(client, shape, ranks, DEFAULT_ROUNDS, DEFAULT_BACKLOG_WINDOWS, Map.of(), log);
    }

    /**
     * Runs the benchmark.
     *
     * @param client the cluster to measure on, or null to start an embedded broker for the run
     * @param shape  layers, neurons, languages, statsEvery and seed of the windows (its runId, ranks
     *               and steps are replaced: one window per measurement, a fresh run each)
     * @param ranks  data-parallel rank counts to measure, e.g. [1, 8]
     * @param rounds measured windows per rank count and variant (after one live warm-up)
     * @param backlogWindows consecutive windows of one run in each backlog measurement
     * @param streamsOverrides Streams settings over the app's defaults, to measure a tuning (e.g.
     *               {@code statestore.cache.max.bytes}, {@code commit.interval.ms}); empty for the defaults
     */
    public static SpecializationReport run(ClientConfig client, LoadShape shape, List<Integer> ranks, int rounds,
            int backlogWindows, Map<String, ?> streamsOverrides, Consumer<String> log) throws Exception {
        if (rounds < 1 || backlogWindows < 1 || ranks.isEmpty() || ranks.stream().anyMatch(r -> r < 1)) {
            throw new InvalidInputException("need --rounds, --backlog-windows and --ranks >= 1, got " + rounds + ", "
                    + backlogWindows + ", " + ranks);
        }
        EmbeddedKafka embedded = null;
        if (client == null) {
            embedded = EmbeddedKafka.start();
            client = ClientConfig.of(embedded.bootstrapServers());
            log.accept("embedded broker on " + embedded.bootstrapServers());
        }
        Path stateDir = Files.createTempDirectory("babelflow-specialization-bench-");
        String appId = "babelflow-specialization-bench-" + System.currentTimeMillis();
        try (SpecializationMeasurements session = new SpecializationMeasurements(client, appId, stateDir, shape,
                streamsOverrides, log)) {
            Map<String, String> settings = settings(shape, embedded != null, session);
            if (!streamsOverrides.isEmpty()) {
                settings.put("streams settings over the app's defaults", String.valueOf(streamsOverrides));
            }
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
                    backlog.add(session.backlog(r, backlogWindows, round, round == rounds ? rounds : 0, compute));
                }
            }
            settings.put("load average at the end", String.format("%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            return new SpecializationReport(shape, settings, live, backlog, compute);
        } finally {
            if (embedded != null) {
                embedded.close();
            } else {
                deleteInternalTopics(client, appId, log);
            }
            deleteRecursively(stateDir);
        }
    }

    /** What was measured and how, read from the settings in force (the app's, the producer's, the JVM's). */
    private static Map<String, String> settings(LoadShape shape, boolean embedded, SpecializationMeasurements session) {
        Properties streams = session.streamsConfig;
        Map<String, Object> producer = session.producerConfig;
        LapeParameters lape = SpecializationConfig.DEFAULTS.lape();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("shape", String.format("%d layers x %d neurons x %d languages, %d KB per layer and rank",
                shape.layers(), shape.neurons(), shape.languages(), shape.activationPayloadBytes() / 1000));
        s.put("broker", embedded ? "embedded single-node KRaft in this JVM" : session.client.bootstrapServers());
        s.put("app", String.format("SpecializationConfig.DEFAULTS (LAPE filter %s, top %s, activation bar %s), %s,"
                        + " commit %s ms, stream threads %s, cache %s bytes, RocksDB bounded %s bytes; activation topic"
                        + " %d partitions, repartition by run %d", lape.filterRate(), lape.topRate(),
                lape.activationBarRatio(), setting(streams, StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                setting(streams, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG),
                setting(streams, StreamsConfig.NUM_STREAM_THREADS_CONFIG),
                streams.getOrDefault(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG,
                        SpecializationApp.CACHE_MAX_BYTES + " (the app's default)"),
                streams.getOrDefault(BoundedMemoryRocksDbConfig.TOTAL_BYTES_CONFIG,
                        BoundedMemoryRocksDbConfig.DEFAULT_TOTAL_BYTES + " (default)"),
                Topics.ACTIVATION_STATS.partitions(), Topics.RUNS.partitions()));
        s.put("producer", String.format("TelemetryProducerConfig (acks=%s, idempotence %s, %s, linger %s ms,"
                        + " batch %s bytes), max.block.ms %s", producer.get(ProducerConfig.ACKS_CONFIG),
                producer.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), producer.get(ProducerConfig.COMPRESSION_TYPE_CONFIG),
                producer.get(ProducerConfig.LINGER_MS_CONFIG), producer.get(ProducerConfig.BATCH_SIZE_CONFIG),
                producer.get(ProducerConfig.MAX_BLOCK_MS_CONFIG)));
        s.put("jvm", String.format("Java %s, max heap %d MiB, %d cores", System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors()));
        s.put("load average at the start", String.format("%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return s;
    }

    /** A Streams setting as configured, or Kafka's default marked as such. */
    private static String setting(Properties streams, String key) {
        Object value = streams.get(key);
        return value != null ? String.valueOf(value)
                : StreamsConfig.configDef().defaultValues().get(key) + " (default)";
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
}
