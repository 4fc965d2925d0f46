package io.babelflow.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.TrainStep;
import java.util.Arrays;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    @Test
    void everyEventTypeRoundTripsThroughItsTopicSerde() {
        for (SpecificRecord event : SampleEvents.all()) {
            @SuppressWarnings("unchecked")
            Class<SpecificRecord> type = (Class<SpecificRecord>) event.getClass();
            Topic<String, SpecificRecord> topic = Topics.forEvent(type);
            byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), event);
            SpecificRecord back = topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
            assertEquals(event, back, type.getSimpleName());
        }
    }

    @Test
    void bytesCarryTheSingleObjectHeaderAndWriterFingerprint() {
        byte[] bytes = AvroSerde.of(TrainStep.class).encode(SampleEvents.trainStep());
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = SchemaNormalization.parsingFingerprint64(TrainStep.getClassSchema());
        for (int i = 0; i < 8; i++) {
            assertEquals((byte) (fingerprint >>> (8 * i)), bytes[2 + i], "fingerprint byte " + i);
        }
    }

    @Test
    void packedMatricesSurviveTheRoundTrip() {
        ActivationStats stats = SampleEvents.activationStats();
        ActivationStats back = AvroSerde.of(ActivationStats.class).decode(
                AvroSerde.of(ActivationStats.class).encode(stats));
        assertArrayEquals(new float[] {10, 0, 100, 0, 50, 25}, PackedFloats.unpack(back.getActiveCounts()));
    }

    @Test
    void nullIsATombstone() {
        assertNull(AvroSerde.of(MixtureUpdate.class).decode(null));
        assertNull(AvroSerde.of(MixtureUpdate.class).encode(null));
    }

    @Test
    void garbageRaisesEventDecodingExceptionNamingTheProblem() {
        AvroSerde<TrainStep> serde = AvroSerde.of(TrainStep.class);
        EventDecodingException noMarker = assertThrows(EventDecodingException.class,
                () -> serde.decode("{\"step\": 1, \"loss\": 2.0}".getBytes()));
        assertTrue(noMarker.getMessage().contains("single-object marker"), noMarker.getMessage());
        assertEquals("TrainStep", noMarker.eventType());

        EventDecodingException tooShort = assertThrows(EventDecodingException.class,
                () -> serde.decode(new byte[] {(byte) 0xC3, 1, 2}));
        assertTrue(tooShort.getMessage().contains("shorter than"), tooShort.getMessage());
    }

    @Test
    void unknownFingerprintRaisesEventDecodingException() {
        byte[] bytes = AvroSerde.of(TrainStep.class).encode(SampleEvents.trainStep());
        bytes[5] ^= 0x5A; // a writer schema nobody released
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> AvroSerde.of(TrainStep.class).decode(bytes));
        assertTrue(e.getMessage().contains("unknown schema fingerprint"), e.getMessage());
    }

    @Test
    void anotherTypesBytesAreRejected() {
        byte[] mixture = AvroSerde.of(MixtureUpdate.class).encode(SampleEvents.mixtureUpdate());
        assertThrows(EventDecodingException.class, () -> AvroSerde.of(TrainStep.class).decode(mixture));
    }

    @Test
    void truncatedBodyRaisesEventDecodingException() {
        byte[] bytes = AvroSerde.of(TrainStep.class).encode(SampleEvents.trainStep());
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> AvroSerde.of(TrainStep.class).decode(cut));
        assertTrue(e.getMessage().contains("malformed body"), e.getMessage());
    }
}
