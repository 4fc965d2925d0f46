package io.babelflow.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.ops.plot.LineChart;
import io.babelflow.ops.serve.Observatory;
import io.babelflow.schemas.ClientConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The soak's time series, one sample every few seconds on its own thread: each app's consumer lag
 * (records between its group's committed offsets and the ends of the partitions it reads, its own
 * repartition topics included), this JVM's heap in use and resident set, steps sent and windows out.
 */
public final class SoakSamples implements AutoCloseable {
    public record Sample(double seconds, long stepsSent, long payloadBytesSent, long windowsOut, Map<String, Long> lag,
            long heapBytes, long heapAfterGcBytes, long rssBytes) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Admin admin;
    private final Map<String, String> groups;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final AtomicLong stepsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong windowsOut = new AtomicLong();
    private final long t0 = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    private SoakSamples(ClientConfig client, Map<String, String> groups, Duration every, Consumer<String> log) {
        this.admin = Admin.create(client.properties());
        this.groups = new TreeMap<>(groups);
        this.thread = new Thread(() -> {
            while (running) {
                Sample s = sample();
                samples.add(s);
                log.accept(String.format("soak %5.0f s: %d steps sent (%.0f MB), %d windows out, lag %s, heap %d MB,"
                        + " after GC %d MB, RSS %d MB", s.seconds(), s.stepsSent(), s.payloadBytesSent() / 1e6, s.windowsOut(),
                        s.lag(), s.heapBytes() >> 20, s.heapAfterGcBytes() >> 20, s.rssBytes() >> 20));
                try {
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "soak-samples");
        thread.setDaemon(true);
    }

    static SoakSamples start(ClientConfig client, Map<String, String> groups, Duration every, Consumer<String> log) {
        SoakSamples s = new SoakSamples(client, groups, every, log);
        s.thread.start();
        return s;
    }

    void stepSent(long steps, long payloadBytes, long windows) {
        stepsSent.set(steps);
        bytesSent.set(payloadBytes);
        windowsOut.set(windows);
    }

    long stepsSent() {
        return stepsSent.get();
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    private Sample sample() {
        Map<String, Long> lag = new TreeMap<>();
        groups.forEach((app, group) -> lag.put(app, lag(group)));
        return new Sample((System.nanoTime() - t0) / 1e9, stepsSent.get(), bytesSent.get(), windowsOut.get(), lag,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), heapAfterGc(), rss());
    }

    /** Records behind over every partition the group has committed; -1 when the broker does not answer. */
    private long lag(String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get();
            long lag = 0;
            for (var e : committed.entrySet()) {
                if (e.getValue() != null && ends.containsKey(e.getKey())) {
                    lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
                }
            }
            return lag;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Heap live after the last collection of each heap pool: what the heap holds, without garbage not yet collected. */
    static long heapAfterGc() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                .mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
    }

    /** This process's resident set (Linux), or -1 elsewhere. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The observatory's last step of a run, -1 when it does not know the run. */
    static long lastStep(Observatory o, String runId) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(o.pageUrl() + "api/runs/" + runId)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode run = JSON.readTree(r.body()).path("run");
            return r.statusCode() == 200 ? run.path("lastStep").asLong(-1) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** soak-lag.png (records behind per app) and soak-memory.png (heap, RSS) over minutes. */
    void plots(Path dir, Consumer<String> log) {
        LineChart lag = new LineChart("Soak: consumer lag per app", "minutes", "records behind");
        LineChart memory = new LineChart("Soak: memory of the JVM (apps, load, broker if embedded)", "minutes", "MB");
        LineChart rate = new LineChart("Soak: throughput per minute", "minutes", "MB/s of activation payload sent");
        List<Sample> all = samples();
        for (Sample s : all) {
            double m = s.seconds() / 60;
            s.lag().forEach((app, n) -> lag.add(app, m, n < 0 ? Double.NaN : n));
            memory.add("heap used", m, s.heapBytes() / 1e6).add("heap after GC", m, s.heapAfterGcBytes() / 1e6)
                    .add("RSS", m, s.rssBytes() / 1e6);
        }
        perMinute(all).forEach((minute, mbps) -> rate.add("sent", minute + 1, mbps));
        lag.writePng(dir.resolve("soak-lag.png"), 900, 450);
        memory.writePng(dir.resolve("soak-memory.png"), 900, 450);
        rate.writePng(dir.resolve("soak-throughput.png"), 900, 450);
        log.accept("plots: " + List.of("soak-lag.png", "soak-memory.png", "soak-throughput.png").stream()
                .map(f -> dir.resolve(f).toString()).collect(Collectors.joining(", ")));
    }

    /** Activation payload MB/s sent in each whole minute of the soak. */
    public static Map<Integer, Double> perMinute(List<Sample> all) {
        Map<Integer, Double> out = new TreeMap<>();
        List<Sample> sorted = new ArrayList<>(all);
        for (int minute = 0; ; minute++) {
            Sample from = at(sorted, minute * 60.0);
            Sample to = at(sorted, (minute + 1) * 60.0);
            if (from == null || to == null || to.seconds() - from.seconds() < 30) {
                return out;
            }
            out.put(minute, (to.payloadBytesSent() - from.payloadBytesSent()) / (to.seconds() - from.seconds()) / 1e6);
        }
    }

    /** The last sample at or before {@code seconds} (the first if none), null past the end. */
    private static Sample at(List<Sample> sorted, double seconds) {
        if (sorted.isEmpty() || sorted.get(sorted.size() - 1).seconds() < seconds - 6) {
            return null;
        }
        Sample best = sorted.get(0);
        for (Sample s : sorted) {
            if (s.seconds() <= seconds) {
                best = s;
            }
        }
        return best;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
        admin.close(Duration.ofSeconds(5));
    }
}
