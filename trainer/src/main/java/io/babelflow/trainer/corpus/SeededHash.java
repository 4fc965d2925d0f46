package io.babelflow.trainer.corpus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Stable pseudo-random numbers keyed by (seed, purpose, document key). SHA-256 rather than
 * {@code String.hashCode} so a split is the same on every JVM and machine, and so that two languages
 * built from the same files (a catalogue as parallel text and as instructions) split them alike.
 */
final class SeededHash {
    private SeededHash() {
    }

    /** A uniform number in [0, 1). */
    static double unit(long seed, String purpose, String key) {
        return (bits(seed, purpose, key) >>> 11) * 0x1.0p-53;
    }

    /** 64 uniform bits. */
    static long bits(long seed, String purpose, String key) {
        MessageDigest sha = sha256();
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
        sha.update(purpose.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(key.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    /** SHA-256 of some content, for de-duplication. */
    static byte[] content(byte[] bytes) {
        return sha256().digest(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
