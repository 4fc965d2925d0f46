package io.babelflow.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Released versions of every event schema, shipped as resources
 * {@code io/babelflow/schemas/released/<Name>.v<N>.avsc} (full, self-contained schemas, as
 * {@code Schema.toString()} prints them). Decoders register them so records written by any
 * released version stay readable; {@code SchemaCompatibilityTest} fails the build when the current
 * schema can no longer read one of them. Releasing a new version = adding the next file.
 */
public final class SchemaHistory {
    private static final Map<String, List<Schema>> CACHE = new ConcurrentHashMap<>();

    private SchemaHistory() {
    }

    public static List<Schema> released(String eventName) {
        return CACHE.computeIfAbsent(eventName, SchemaHistory::load);
    }

    private static List<Schema> load(String eventName) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String resource = "released/" + eventName + ".v" + v + ".avsc";
            try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return List.copyOf(versions);
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read released schema " + resource, e);
            }
        }
    }
}
