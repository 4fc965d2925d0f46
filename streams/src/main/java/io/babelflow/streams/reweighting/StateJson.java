package io.babelflow.streams.reweighting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The one JSON mapper of policy snapshots. Doubles are written in their shortest round-trip form,
 * so a restored state is bit-identical and later decisions match those of the original exactly.
 */
public final class StateJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private StateJson() {
    }

    public static JsonNode tree(Object state) {
        return MAPPER.valueToTree(state);
    }

    public static <T> T read(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("policy state does not match " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    public static byte[] bytes(Object state) {
        try {
            return MAPPER.writeValueAsBytes(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise policy state", e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt policy snapshot: " + e.getMessage(), e);
        }
    }
}
