package io.babelflow.streams;

import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Dead-letter routing shared by the streams apps. Records that cannot be decoded or fail
 * validation are written unchanged to {@link Topics#DEAD_LETTER} by an explicit sink in the
 * topology (rather than by an exception handler), so the path is visible in
 * {@code Topology#describe()}, covered by the exactly-once transaction, and independent of
 * client configuration.
 */
public final class DeadLetters {
    private DeadLetters() {
    }

    /** Room left in a dead-letter record for key, headers and batch overhead. */
    private static final int OVERHEAD_BYTES = 16 * 1024;

    /**
     * The dead letter for a rejected input record, to forward into {@link #divert}. A value larger
     * than the dead-letter topic accepts would fail the transaction and stop the app; it is left
     * out and the reason says so: the source coordinates in the headers still locate it.
     */
    public static <V> Record<String, Routed<V>> reject(Record<?, ?> incoming, RecordMetadata metadata,
            byte[] key, byte[] value, String reason, String app) {
        byte[] kept = value;
        String why = reason;
        int limit = Topics.DEAD_LETTER.maxMessageBytes() - OVERHEAD_BYTES;
        if (value != null && value.length > limit) {
            kept = null;
            why = reason + " [value of " + value.length + " bytes omitted: larger than the dead-letter topic accepts;"
                    + " read it at the source coordinates]";
        }
        return new Record<String, Routed<V>>(null, Routed.reject(key, kept), incoming.timestamp(),
                headers(incoming.headers(), metadata, why, app));
    }

    /**
     * Headers for a dead letter: the incoming headers plus source topic, partition, offset, reason
     * and app. Records that crossed a repartition topic still carry the coordinates of the
     * original input, stamped by {@link #stampOrigin}; those win over the repartition topic's.
     */
    public static Headers headers(Headers incoming, RecordMetadata metadata, String reason, String app) {
        RecordHeaders headers = new RecordHeaders(incoming == null ? new Header[0] : incoming.toArray());
        if (headers.lastHeader(Topics.DLQ_SOURCE_TOPIC) == null && metadata != null) {
            stampOrigin(headers, metadata);
        }
        put(headers, Topics.DLQ_REASON, reason);
        put(headers, Topics.DLQ_APP, app);
        return headers;
    }

    /** Records where a record was read from before it is forwarded through a repartition topic. */
    public static void stampOrigin(Headers headers, RecordMetadata metadata) {
        put(headers, Topics.DLQ_SOURCE_TOPIC, metadata.topic());
        put(headers, Topics.DLQ_SOURCE_PARTITION, String.valueOf(metadata.partition()));
        put(headers, Topics.DLQ_SOURCE_OFFSET, String.valueOf(metadata.offset()));
    }

    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends the rejections of {@code routed} to the dead-letter topic through a sink named
     * {@code <name>-dead-letter-sink} and returns the passed values.
     */
    @SuppressWarnings("unchecked")
    public static <V> KStream<String, V> divert(KStream<String, Routed<V>> routed, String name) {
        Map<String, KStream<String, Routed<V>>> branches = routed
                .split(Named.as(name + "-"))
                .branch((key, value) -> value instanceof Routed.Reject, Branched.withConsumer(rejected -> rejected
                        .map((key, value) -> {
                            Routed.Reject<V> reject = (Routed.Reject<V>) value;
                            return KeyValue.pair(reject.key(), reject.value());
                        }, Named.as(name + "-dead-letter-unwrap"))
                        .to(Topics.DEAD_LETTER.name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                                .withName(name + "-dead-letter-sink")), "dead-letter"))
                .defaultBranch(Branched.as("valid"));
        return branches.get(name + "-valid")
                .mapValues(value -> ((Routed.Pass<V>) value).value(), Named.as(name + "-valid-unwrap"));
    }
}
