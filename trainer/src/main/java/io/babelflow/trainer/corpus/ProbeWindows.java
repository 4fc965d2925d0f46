package io.babelflow.trainer.corpus;

/**
 * Cuts the fixed probe set from held-out text: up to {@code count} windows of {@code window} bytes that
 * never overlap, one at a seeded offset inside each of {@code n} equal strata, so they cover the whole
 * held-out split rather than its first files. A split shorter than {@code count} windows gives as many as
 * fit; one shorter than a window gives none.
 */
final class ProbeWindows {
    private ProbeWindows() {
    }

    static int fitting(int heldoutBytes, int count, int window) {
        return Math.min(count, heldoutBytes / window);
    }

    /** The windows back to back, in heldout order. */
    static byte[] cut(byte[] heldout, int count, int window, long seed, String languageId) {
        int n = fitting(heldout.length, count, window);
        byte[] probe = new byte[n * window];
        if (n == 0) {
            return probe;
        }
        int stratum = heldout.length / n;
        for (int i = 0; i < n; i++) {
            long slack = stratum - window + 1L;
            int offset = i * stratum + (int) Long.remainderUnsigned(
                    SeededHash.bits(seed, "probe", languageId + "#" + i), slack);
            System.arraycopy(heldout, offset, probe, i * window, window);
        }
        return probe;
    }
}
