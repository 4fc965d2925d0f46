package io.babelflow.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one event type using Avro single-object encoding: the two marker bytes C3 01,
 * the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the binary body.
 * The fingerprint identifies the writer schema without a schema-registry server: the decoder knows
 * the current schema and every released version of it (see {@link SchemaHistory}), and resolves
 * older writers to the current reader schema.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type) {
        this.type = type;
        Schema current = SpecificData.get().getSchema(type);
        SpecificData model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        for (Schema released : SchemaHistory.released(current.getName())) {
            decoder.addSchema(released);
        }
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    public byte[] encode(T event) {
        if (event == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(event);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes single-object-encoded bytes; null stays null (a compaction tombstone). */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String name = type.getSimpleName();
        if (bytes.length < 10) {
            throw new EventDecodingException(name, "only " + bytes.length
                    + " bytes, shorter than the 10-byte single-object header", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new EventDecodingException(name, String.format(
                    "no Avro single-object marker (expected C3 01, found %02X %02X)", bytes[0], bytes[1]), e);
        } catch (MissingSchemaException e) {
            throw new EventDecodingException(name, "unknown schema fingerprint "
                    + fingerprintHex(bytes) + " (written by a schema no released version matches)", e);
        } catch (IOException | RuntimeException e) {
            throw new EventDecodingException(name, "malformed body (" + e + ")", e);
        }
    }

    private static String fingerprintHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 9; i >= 2; i--) {
            sb.append(String.format("%02x", bytes[i]));
        }
        return sb.toString();
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, event) -> encode(event);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> decode(bytes);
    }

    /** Every released version of the given type, oldest first. */
    public List<Schema> releasedSchemas() {
        return SchemaHistory.released(SpecificData.get().getSchema(type).getName());
    }
}
