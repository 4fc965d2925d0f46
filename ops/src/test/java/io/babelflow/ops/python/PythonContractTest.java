package io.babelflow.ops.python;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StatsSource;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.PackedFloats;
import io.babelflow.schemas.SampleEvents;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-language contract: every event type the Java serde writes is decoded by the Python client
 * field by field, and what Python writes (re-encoded samples, and one of each telemetry event built by
 * its {@code Run}) is decoded by the Java serde with the same fingerprints.
 */
class PythonContractTest {
    @TempDir
    static Path dir;

    /** Java writes a sample of every event type; Python decodes, re-encodes and publishes its own (one process). */
    @BeforeAll
    static void exchange() throws Exception {
        Path java = Files.createDirectories(dir.resolve("java"));
        for (SpecificRecord event : SampleEvents.all()) {
            Files.write(java.resolve(name(event) + ".bin"), topic(event).valueSerde().serializer().serialize("t", event));
        }
        PythonProcess.run(List.of("tests/contract.py", dir.toString()));
    }

    @Test
    void everyEventTypeCrossesBothWays() throws Exception {
        Path java = dir.resolve("java");
        Path python = dir.resolve("python");
        ObjectMapper json = new ObjectMapper();
        for (SpecificRecord event : SampleEvents.all()) {
            byte[] javaBytes = Files.readAllBytes(java.resolve(name(event) + ".bin"));
            byte[] pythonBytes = Files.readAllBytes(python.resolve(name(event) + ".bin"));
            assertArrayEquals(Arrays.copyOf(javaBytes, 10), Arrays.copyOf(pythonBytes, 10), name(event) + " header");
            assertEquals(event, topic(event).valueSerde().deserializer().deserialize("t", pythonBytes), name(event));
            Object decodedByPython = json.readValue(python.resolve(name(event) + ".json").toFile(), Object.class);
            assertEquals(plain(event), plain(decodedByPython), name(event) + " as Python decoded it");
        }
    }

    @Test
    void telemetryBuiltByPythonIsKeyedAndNumberedAsTheRegistrySays() throws Exception {
        List<SpoolRecords.Entry> spooled = SpoolRecords.read(dir.resolve("python").resolve("spool"));
        List<Object> events = new ArrayList<>();
        for (SpoolRecords.Entry e : spooled) {
            Topic<?, ?> topic = Topics.byName(e.topic());
            Object event = topic.valueSerde().deserializer().deserialize(e.topic(), e.value());
            events.add(event);
            String expectedKey = event instanceof ActivationStats s ? "contract-run/" + s.getLayer() : "contract-run";
            assertEquals(expectedKey, e.key(), e.topic());
            assertEquals(Topics.forEvent(((SpecificRecord) event).getClass()).name(), e.topic());
        }
        assertEquals(List.of("RunStarted", "TrainStep", "ActivationStats", "ActivationStats", "WorkingLanguage",
                "EvalResult", "RunEnded"), events.stream().map(e -> e.getClass().getSimpleName()).toList());

        RunStarted started = (RunStarted) events.get(0);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), events.stream()
                .map(e -> (Long) ((SpecificRecord) e).get(((SpecificRecord) e).getSchema().getField("sequence").pos()))
                .toList());
        assertEquals(1, started.getRank());
        assertEquals(2, started.getWorldSize());
        assertEquals("schedule", started.getFeedbackPolicy());
        assertEquals(Map.of("every", "5"), started.getPolicyParams());
        assertEquals(3, started.getModel().getFfnWidth());
        assertEquals(0.25, started.getLanguages().get(1).getInitialWeight());

        TrainStep step = (TrainStep) events.get(1);
        assertEquals(7, step.getStep());
        assertEquals(128, step.getTokens());
        assertEquals(Map.of("python", 2.0, "go", 3.0), step.getLanguageLoss());
        assertEquals(Map.of("python", 96L, "go", 32L), step.getLanguageTokens());
        assertEquals(4, step.getMixtureVersion());
        assertEquals(Map.of("python", 0.75, "go", 0.25), step.getMixtureWeights());
        assertEquals(2, step.getWorldSize());

        ActivationStats stats = (ActivationStats) events.get(3);
        assertEquals(StatsSource.TRAIN, stats.getSource());
        assertEquals(List.of(0L, 9L, 1L, 2L, 3L), List.of(stats.getWindowStart(), stats.getWindowEnd(),
                (long) stats.getLayer(), (long) stats.getLayers(), (long) stats.getNeurons()));
        assertEquals(List.of(96L, 32L), stats.getTokens());
        assertArrayEquals(new float[] {1, 0, 2, 0, 16777216, 3}, PackedFloats.unpack(stats.getActiveCounts()));
        assertArrayEquals(new float[] {0.5f, 0, 1, 0, 8388608, 1.5f}, PackedFloats.unpack(stats.getActivationSums()));

        WorkingLanguage lens = (WorkingLanguage) events.get(4);
        assertEquals(Map.of("go", 0.25, "python", 0.5), lens.getReadings().get(0).getAnswerMass());
        assertEquals(Map.of("python", 2.25), ((EvalResult) events.get(5)).getLanguageLoss());
        RunEnded ended = (RunEnded) events.get(6);
        assertEquals(List.of("interrupted", "stopped at a step boundary", 9L),
                List.of(ended.getReason(), ended.getMessage(), ended.getLastStep()));
        assertTrue(Math.abs(ended.getEndedAt().toEpochMilli() - System.currentTimeMillis()) < 600_000,
                "timestamps are epoch milliseconds");
    }

    private static String name(SpecificRecord event) {
        return event.getClass().getSimpleName();
    }

    @SuppressWarnings("unchecked")
    private static Topic<String, SpecificRecord> topic(SpecificRecord event) {
        return (Topic<String, SpecificRecord>) (Topic<?, ?>) Topics.forEvent(event.getClass());
    }

    /** A value as plain JSON-like data: records and maps as sorted maps, whole numbers as long, bytes as hex. */
    @SuppressWarnings("unchecked")
    static Object plain(Object value) {
        if (value instanceof SpecificRecord r) {
            Map<String, Object> fields = new TreeMap<>();
            r.getSchema().getFields().forEach(f -> fields.put(f.name(), plain(r.get(f.pos()))));
            return fields;
        }
        if (value instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.containsKey("hex")) {
                return m.get("hex");
            }
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(k.toString(), plain(v)));
            return sorted;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(PythonContractTest::plain).toList();
        }
        if (value instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Instant t) {
            return t.toEpochMilli();
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof CharSequence || value instanceof Enum<?> || value instanceof GenericEnumSymbol<?>) {
            return value.toString();
        }
        return value;
    }
}
