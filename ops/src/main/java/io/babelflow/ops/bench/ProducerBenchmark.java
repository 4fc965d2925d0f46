package io.babelflow.ops.bench;

import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.producers.loadgen.LoadGenerator;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.producers.telemetry.TelemetryProducerConfig;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Load generator throughput into a broker against Kafka's own ProducerPerformance with the same
 * record count, record size and producer settings, in the same run, alternated.
 */
public final class ProducerBenchmark {
    private static final Pattern PP_SUMMARY = Pattern.compile("(\\d+) records sent, ([0-9.]+) records/sec");
    public static final String BENCH_TOPIC = "babelflow.bench-producer-performance";

    public record Round(double loadgenMBps, double producerPerformanceMBps, long records, long recordBytes) {
        public double ratio() {
            return loadgenMBps / producerPerformanceMBps;
        }
    }

    private ProducerBenchmark() {
    }

    public static List<Round> run(ClientConfig client, LoadShape shape, int rounds, Consumer<String> log)
            throws Exception {
        TopicProvisioner.ensureTopics(client, (short) 1);
        Topic<?, ?> activation = Topics.ACTIVATION_STATS;
        try (Admin admin = Admin.create(client.properties())) {
            TopicProvisioner.ensureTopics(admin, List.of(new Topic<>(BENCH_TOPIC, null, null, byte[].class,
                    activation.partitions(), activation.configs(), "benchmark yardstick")), (short) 1);
        }
        Map<String, Object> producerConfig = TelemetryProducerConfig.of(client);
        List<Round> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            LoadShape s = new LoadShape(shape.runId() + "-" + round, shape.layers(), shape.neurons(), shape.languages(),
                    shape.ranks(), 0, shape.steps(), shape.statsEvery(), shape.seed() + round);
            LoadGenerator.Result lg;
            try (var producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
                lg = new LoadGenerator(s).run(producer, line -> { });
            }
            long recordBytes = lg.bytes() / lg.records();
            log.accept(String.format("round %d loadgen: %d records, %d bytes each on average, %.1f MB/s", round,
                    lg.records(), recordBytes, lg.megabytesPerSecond()));
            double ppMBps = producerPerformance(client, producerConfig, lg.records(), recordBytes, log);
            log.accept(String.format("round %d ProducerPerformance: %.1f MB/s", round, ppMBps));
            results.add(new Round(lg.megabytesPerSecond(), ppMBps, lg.records(), recordBytes));
        }
        return results;
    }

    /** Runs org.apache.kafka.tools.ProducerPerformance in a child JVM (it exits the JVM when done). */
    private static double producerPerformance(ClientConfig client, Map<String, Object> producerConfig, long records,
            long recordBytes, Consumer<String> log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", BENCH_TOPIC, "--num-records", String.valueOf(records),
                "--record-size", String.valueOf(recordBytes), "--throughput", "-1", "--producer-props"));
        producerConfig.forEach((k, v) -> {
            if (!k.equals("client.id")) {
                cmd.add(k + "=" + v);
            }
        });
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String summary = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = PP_SUMMARY.matcher(line);
                if (m.find()) {
                    summary = line;
                }
            }
        }
        int rc = p.waitFor();
        if (summary == null || rc != 0) {
            throw new IllegalStateException("ProducerPerformance failed (exit " + rc + ")");
        }
        log.accept("  " + summary);
        Matcher m = PP_SUMMARY.matcher(summary);
        m.find();
        return Double.parseDouble(m.group(2)) * recordBytes / 1e6;
    }
}
