package io.babelflow.streams;

/**
 * What a validating processor forwards: either a value to pass on, or a record rejected to the
 * dead-letter topic. A rejection carries the record's original key and value bytes; its Kafka
 * headers already name the source and the reason (see {@link DeadLetters#headers}).
 */
public sealed interface Routed<V> {

    record Pass<V>(V value) implements Routed<V> {
    }

    record Reject<V>(byte[] key, byte[] value) implements Routed<V> {
    }

    static <V> Routed<V> pass(V value) {
        return new Pass<>(value);
    }

    static <V> Routed<V> reject(byte[] key, byte[] value) {
        return new Reject<>(key, value);
    }
}
