package io.babelflow.producers.bridge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.babelflow.schemas.Events;
import io.babelflow.schemas.PackedFloats;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads one telemetry event from one JSON object, mirroring the Avro contracts, so trainers in any
 * language can feed BabelFlow by printing JSON lines:
 * <ul>
 *   <li>{@code "type"} names the event: RunStarted, TrainStep, ActivationStats, WorkingLanguage,
 *       EvalResult or RunEnded; every other key is a field of that schema, by its Avro name;</li>
 *   <li>fields with a default may be left out; unknown keys are an error (a typo must not vanish);</li>
 *   <li>timestamps are epoch milliseconds or ISO-8601 strings; enums are their symbol;</li>
 *   <li>the packed float32 matrices of ActivationStats are JSON arrays of numbers, row-major
 *       [languages x neurons] (or a base64 string of the little-endian bytes);</li>
 *   <li>NaN and Infinity are accepted as Python's json module writes them, so a diverging loss is
 *       reported, not refused.</li>
 * </ul>
 */
public final class JsonEvents {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Map<String, Schema> TYPES = Events.TELEMETRY.stream()
            .map(Events::schemaOf).collect(Collectors.toMap(Schema::getName, s -> s, (a, b) -> a, LinkedHashMap::new));

    private JsonEvents() {
    }

    /** A line that is not a valid event; the message says why. */
    public static final class BadEventException extends Exception {
        public BadEventException(String message) {
            super(message);
        }
    }

    public static SpecificRecord parse(String line) throws BadEventException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadEventException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadEventException("not a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new BadEventException("no \"type\" (one of " + TYPES.keySet() + ")");
        }
        Schema schema = TYPES.get(type.asText());
        if (schema == null) {
            throw new BadEventException("unknown type \"" + type.asText() + "\" (one of " + TYPES.keySet() + ")");
        }
        return (SpecificRecord) record(node, schema, "", true);
    }

    private static Object record(JsonNode node, Schema schema, String path, boolean topLevel) throws BadEventException {
        if (!node.isObject()) {
            throw new BadEventException(where(path) + "expected an object for " + schema.getName());
        }
        SpecificRecord record = (SpecificRecord) SpecificData.get().newRecord(null, schema);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (topLevel && name.equals("type")) {
                continue;
            }
            if (schema.getField(name) == null) {
                throw new BadEventException("unknown field \"" + path + name + "\" (" + schema.getName() + " has "
                        + schema.getFields().stream().map(Schema.Field::name).toList() + ")");
            }
        }
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            String fieldPath = path + field.name();
            if (value == null) {
                if (!field.hasDefaultValue()) {
                    throw new BadEventException("missing field \"" + fieldPath + "\" (" + field.doc() + ")");
                }
                record.put(field.pos(), SpecificData.get().deepCopy(field.schema(),
                        SpecificData.get().getDefaultValue(field)));
            } else {
                record.put(field.pos(), value(value, field.schema(), fieldPath));
            }
        }
        return record;
    }

    private static Object value(JsonNode node, Schema schema, String path) throws BadEventException {
        switch (schema.getType()) {
            case UNION -> {
                if (node.isNull() && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                    return null;
                }
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(node, branch, path);
                    }
                }
                throw new BadEventException(where(path) + "must be null");
            }
            case RECORD -> {
                return record(node, schema, path + ".", false);
            }
            case STRING -> {
                if (!node.isTextual()) {
                    throw new BadEventException(where(path) + "expected a string, got " + node);
                }
                return node.asText();
            }
            case INT -> {
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw new BadEventException(where(path) + "expected a 32-bit integer, got " + node);
                }
                return node.intValue();
            }
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return timestamp(node, path);
                }
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw new BadEventException(where(path) + "expected an integer, got " + node);
                }
                return node.longValue();
            }
            case DOUBLE, FLOAT -> {
                if (!node.isNumber()) {
                    throw new BadEventException(where(path) + "expected a number, got " + node);
                }
                return schema.getType() == Schema.Type.FLOAT ? (Object) node.floatValue() : (Object) node.doubleValue();
            }
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw new BadEventException(where(path) + "expected true or false, got " + node);
                }
                return node.booleanValue();
            }
            case ENUM -> {
                if (!node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
                    throw new BadEventException(where(path) + "expected one of " + schema.getEnumSymbols() + ", got " + node);
                }
                return SpecificData.get().createEnum(node.asText(), schema);
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw new BadEventException(where(path) + "expected an array, got " + node);
                }
                List<Object> items = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    items.add(value(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return items;
            }
            case MAP -> {
                if (!node.isObject()) {
                    throw new BadEventException(where(path) + "expected an object, got " + node);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (var it = node.fields(); it.hasNext(); ) {
                    var e = it.next();
                    map.put(e.getKey(), value(e.getValue(), schema.getValueType(), path + "." + e.getKey()));
                }
                return map;
            }
            case BYTES -> {
                return bytes(node, path);
            }
            default -> throw new BadEventException(where(path) + "unsupported schema type " + schema.getType());
        }
    }

    private static Instant timestamp(JsonNode node, String path) throws BadEventException {
        if (node.isIntegralNumber()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.asText());
            } catch (DateTimeParseException e) {
                throw new BadEventException(where(path) + "\"" + node.asText() + "\" is not an ISO-8601 instant");
            }
        }
        throw new BadEventException(where(path) + "expected epoch milliseconds or an ISO-8601 string, got " + node);
    }

    private static java.nio.ByteBuffer bytes(JsonNode node, String path) throws BadEventException {
        if (node.isArray()) {
            float[] values = new float[node.size()];
            for (int i = 0; i < values.length; i++) {
                if (!node.get(i).isNumber()) {
                    throw new BadEventException(where(path + "[" + i + "]") + "expected a number, got " + node.get(i));
                }
                values[i] = node.get(i).floatValue();
            }
            return PackedFloats.pack(values);
        }
        if (node.isTextual()) {
            try {
                return java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(node.asText()));
            } catch (IllegalArgumentException e) {
                throw new BadEventException(where(path) + "not base64: " + e.getMessage());
            }
        }
        throw new BadEventException(where(path) + "expected an array of numbers or a base64 string");
    }

    private static String where(String path) {
        return "field \"" + path + "\": ";
    }
}
