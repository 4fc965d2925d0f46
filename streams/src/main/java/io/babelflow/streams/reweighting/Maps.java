package io.babelflow.streams.reweighting;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Immutable copies that keep insertion order, so every sum over a map runs in the same order after a restart. */
final class Maps {
    private Maps() {
    }

    static <K, V> Map<K, V> frozen(Map<K, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
