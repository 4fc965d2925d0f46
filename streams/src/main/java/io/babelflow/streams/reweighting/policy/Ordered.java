package io.babelflow.streams.reweighting.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Restored per-language state back in the run's language order, so sums run in the original order. */
final class Ordered {
    private Ordered() {
    }

    static <V> Map<String, V> byLanguage(List<String> languages, Map<String, V> values, String what) {
        Map<String, V> out = new LinkedHashMap<>();
        for (String l : languages) {
            V v = values.get(l);
            if (v == null) {
                throw new IllegalArgumentException(what + " state lacks language " + l);
            }
            out.put(l, v);
        }
        return out;
    }
}
