package io.babelflow.streams.observatory;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Appends points to a run's downsampled series: one small store entry per bucket, so a point costs
 * one bucket read and write; a series is rewritten only when its width doubles (at most log2 of the
 * step count times).
 */
final class SeriesWriter {
    private static final StringSerializer KEYS = new StringSerializer();
    private final KeyValueStore<String, SeriesMeta> series;
    private final KeyValueStore<String, byte[]> buckets;

    SeriesWriter(KeyValueStore<String, SeriesMeta> series, KeyValueStore<String, byte[]> buckets) {
        this.series = series;
        this.buckets = buckets;
    }

    void add(String runId, String name, long x, double value) {
        String key = ObservatoryKeys.series(runId, name);
        SeriesMeta meta = series.get(key);
        long width = meta == null ? 1 : meta.width();
        long wider = Downsampling.widthFor(x, width);
        if (wider != width) {
            regrid(runId, name, wider);
        }
        long start = Downsampling.start(x, wider);
        String bucketKey = ObservatoryKeys.bucket(runId, name, start);
        byte[] old = buckets.get(bucketKey);
        Bucket b = old == null ? Bucket.of(start, x, value) : Bucket.fromBytes(old).add(x, value);
        buckets.put(bucketKey, b.toBytes());
        series.put(key, new SeriesMeta(wider, meta == null ? x : Math.max(meta.lastX(), x),
                meta == null ? 1 : meta.points() + 1));
    }

    /** Adds a running total: the series' last value plus {@code delta}. */
    void addCumulative(String runId, String name, long x, double delta) {
        SeriesMeta meta = series.get(ObservatoryKeys.series(runId, name));
        double before = 0;
        if (meta != null && meta.lastX() >= 0) {
            byte[] b = buckets.get(ObservatoryKeys.bucket(runId, name, Downsampling.start(meta.lastX(), meta.width())));
            before = b == null ? 0 : Bucket.fromBytes(b).last();
        }
        add(runId, name, x, before + delta);
    }

    /**
     * A resumed run starts again at {@code fromX}: its buckets from there on are dropped so the new
     * part's points supersede the old part's. The one bucket straddling {@code fromX} keeps its
     * earlier points (a bucket cannot be split), at most {@code width} steps mixed.
     */
    void truncate(String runId, long fromX) {
        List<KeyValue<String, SeriesMeta>> all = new ArrayList<>();
        try (KeyValueIterator<String, SeriesMeta> it = series.prefixScan(ObservatoryKeys.run(runId), KEYS)) {
            it.forEachRemaining(all::add);
        }
        for (KeyValue<String, SeriesMeta> s : all) {
            if (s.value.lastX() < fromX) {
                continue;
            }
            String name = ObservatoryKeys.seriesName(s.key);
            long kept = -1;
            for (Bucket b : read(runId, name)) {
                if (b.start() >= fromX) {
                    buckets.delete(ObservatoryKeys.bucket(runId, name, b.start()));
                } else {
                    kept = Math.max(kept, b.lastX());
                }
            }
            series.put(s.key, new SeriesMeta(s.value.width(), kept, s.value.points()));
        }
    }

    private void regrid(String runId, String name, long width) {
        List<Bucket> old = read(runId, name);
        for (Bucket b : old) {
            buckets.delete(ObservatoryKeys.bucket(runId, name, b.start()));
        }
        for (Bucket b : Downsampling.regrid(old, width)) {
            buckets.put(ObservatoryKeys.bucket(runId, name, b.start()), b.toBytes());
        }
    }

    private List<Bucket> read(String runId, String name) {
        List<Bucket> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = buckets.prefixScan(ObservatoryKeys.bucketPrefix(runId, name), KEYS)) {
            it.forEachRemaining(kv -> out.add(Bucket.fromBytes(kv.value)));
        }
        return out;
    }
}
