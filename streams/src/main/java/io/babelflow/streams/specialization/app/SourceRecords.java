package io.babelflow.streams.specialization.app;

import io.babelflow.events.ActivationStats;
import io.babelflow.schemas.Topics;
import io.babelflow.streams.specialization.window.LayerPiece;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads activation records back from their topic by partition and offset. The rank-merge and the
 * window-merge keep in their changelogs only where the records they have added up came from, not
 * the sums (a 7B layer's sum is 352 KB, rewritten at every commit while a window is open); after a
 * restart they read those records again and add them up anew. The records are committed (the app
 * read them under read_committed) and the topic keeps them for days, far longer than a window
 * stays open.
 */
final class SourceRecords {
    private static final Logger LOG = LoggerFactory.getLogger(SourceRecords.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** Where one record is: a partition and offset of the activation topic. */
    record Ref(int partition, long offset) {
    }

    private SourceRecords() {
    }

    /**
     * Puts every piece of {@code store} (restored before init: sources only) into {@code into} with
     * its counts added up again from the records it names.
     */
    static void rebuild(ProcessorContext<?, ?> context, KeyValueStore<String, LayerPiece> store,
            Map<String, LayerPiece> into, String processor) {
        into.clear();
        List<Ref> refs = new ArrayList<>();
        try (KeyValueIterator<String, LayerPiece> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, LayerPiece> entry = it.next();
                into.put(entry.key, entry.value);
                int[] ranks = entry.value.ranks();
                for (int i = 0; i < ranks.length; i++) {
                    refs.add(new Ref(entry.value.partition(i), entry.value.offset(i)));
                }
            }
        }
        Map<Ref, ActivationStats> records = read(context.appConfigs(), context.taskId() + "-" + processor, refs);
        into.values().forEach(piece -> piece.recount((p, o) -> records.get(new Ref(p, o))));
    }

    /**
     * The records at {@code refs}, decoded; a record the topic no longer has (retention) is left out
     * and logged, so its rank counts as missing rather than stopping the app.
     *
     * @param appConfigs the Streams app's configs ({@code ProcessorContext.appConfigs()}): the
     *                   cluster, security and consumer settings of its restore consumer
     */
    static Map<Ref, ActivationStats> read(Map<String, Object> appConfigs, String clientId, List<Ref> refs) {
        Map<Ref, ActivationStats> out = new HashMap<>();
        if (refs.isEmpty()) {
            return out;
        }
        Map<Integer, TreeSet<Long>> wanted = new HashMap<>();
        refs.forEach(r -> wanted.computeIfAbsent(r.partition(), p -> new TreeSet<>()).add(r.offset()));
        Map<String, Object> config = new StreamsConfig(appConfigs).getRestoreConsumerConfigs(clientId + "-reread");
        long started = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (Map.Entry<Integer, TreeSet<Long>> partition : wanted.entrySet()) {
                TopicPartition tp = new TopicPartition(Topics.ACTIVATION_STATS.name(), partition.getKey());
                consumer.assign(List.of(tp));
                for (long offset : partition.getValue()) {
                    ConsumerRecord<byte[], byte[]> r = fetch(consumer, tp, offset);
                    if (r == null) {
                        LOG.warn("activation record {}@{} is no longer in the topic (retention?): its rank counts as"
                                + " missing from its window", tp, offset);
                    } else {
                        out.put(new Ref(partition.getKey(), offset), Topics.ACTIVATION_STATS.valueSerde()
                                .deserializer().deserialize(tp.topic(), r.value()));
                    }
                }
            }
        }
        LOG.info("read {} activation records back to rebuild sums in {} ms", out.size(),
                (System.nanoTime() - started) / 1_000_000);
        return out;
    }

    private static ConsumerRecord<byte[], byte[]> fetch(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp,
            long offset) {
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<byte[], byte[]>> records;
            try {
                records = new ArrayList<>(consumer.poll(Duration.ofMillis(200)).records(tp));
            } catch (OffsetOutOfRangeException e) {
                return null; // below the log start: deleted by retention
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() == offset) {
                    return r;
                }
                if (r.offset() > offset) {
                    return null; // compacted or deleted under it
                }
            }
            if (records.isEmpty() && consumer.position(tp) > offset) {
                return null;
            }
        }
        throw new IllegalStateException("could not read activation record " + tp + "@" + offset + " within " + TIMEOUT);
    }
}
