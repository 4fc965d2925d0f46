package io.babelflow.streams;

import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.EventDecodingException;
import io.babelflow.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes raw input bytes into an event and checks it. Sources read byte arrays so that no
 * deserializer can throw inside the consumer: undecodable and invalid records leave as
 * {@link Routed.Reject} with their original bytes and the reason, and processing goes on.
 * Valid events are keyed by {@code key} (the runId), not by whatever key the producer sent.
 */
public final class DecodingProcessor<T extends SpecificRecord> implements Processor<byte[], byte[], String, Routed<T>> {
    private final AvroSerde<T> serde;
    private final Function<T, String> key;
    private final Function<T, String> check;
    private final boolean tombstones;
    private final String app;
    private ProcessorContext<String, Routed<T>> context;

    /**
     * @param check      returns why an event is unusable, or null
     * @param tombstones whether a null value passes on (compacted topics) rather than being rejected
     */
    public DecodingProcessor(AvroSerde<T> serde, Function<T, String> key, Function<T, String> check,
            boolean tombstones, String app) {
        this.serde = serde;
        this.key = key;
        this.check = check;
        this.tombstones = tombstones;
        this.app = app;
    }

    /**
     * Reads a runId-keyed event topic as bytes and decodes it: the node names are the topic's name
     * without its {@code babelflow.} prefix plus {@code -source} / {@code -decode}. Rejections stay
     * in the stream as {@link Routed.Reject} for the caller to divert ({@link DeadLetters#divert}).
     */
    public static <T extends SpecificRecord> KStream<String, Routed<T>> decode(StreamsBuilder builder,
            Topic<String, T> topic, Function<T, String> key, Function<T, String> check, boolean tombstones,
            String app) {
        String name = nodeName(topic);
        AvroSerde<T> serde = AvroSerde.of(topic.valueType());
        return builder.stream(topic.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
                .process(() -> new DecodingProcessor<>(serde, key, check, tombstones, app), Named.as(name + "-decode"));
    }

    /** The topic's name without its namespace prefix, the stem of its decoding nodes' names. */
    public static String nodeName(Topic<?, ?> topic) {
        return topic.name().substring(topic.name().indexOf('.') + 1);
    }

    @Override
    public void init(ProcessorContext<String, Routed<T>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        if (record.value() == null) {
            if (tombstones && record.key() != null) {
                context.forward(new Record<>(new String(record.key(), StandardCharsets.UTF_8), Routed.pass(null),
                        record.timestamp(), record.headers()));
            } else {
                context.forward(DeadLetters.reject(record, metadata, record.key(), null,
                        "null value for " + serde.type().getSimpleName(), app));
            }
            return;
        }
        T event;
        try {
            event = serde.decode(record.value());
        } catch (EventDecodingException e) {
            context.forward(DeadLetters.reject(record, metadata, record.key(), record.value(), e.getMessage(), app));
            return;
        }
        String problem = check.apply(event);
        if (problem != null) {
            context.forward(DeadLetters.reject(record, metadata, record.key(), record.value(),
                    "invalid " + serde.type().getSimpleName() + ": " + problem, app));
            return;
        }
        context.forward(new Record<>(key.apply(event), Routed.pass(event), record.timestamp(), record.headers()));
    }
}
