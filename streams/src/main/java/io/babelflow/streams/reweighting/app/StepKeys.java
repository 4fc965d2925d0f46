package io.babelflow.streams.reweighting.app;

/**
 * Keys of the open-steps store: {@code runId NUL step}, the step zero-padded so the byte order of the
 * UTF-8 keys is step order and a prefix scan returns one run's open steps oldest first.
 */
final class StepKeys {
    private static final char SEP = '\u0000';
    private static final int STEP_DIGITS = 19;

    private StepKeys() {
    }

    static String prefix(String runId) {
        return runId + SEP;
    }

    static String of(String runId, long step) {
        if (step < 0) {
            throw new IllegalArgumentException("negative step " + step);
        }
        String digits = Long.toString(step);
        return prefix(runId) + "0".repeat(STEP_DIGITS - digits.length()) + digits;
    }

    static String runOf(String key) {
        return key.substring(0, key.lastIndexOf(SEP));
    }

    static long stepOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf(SEP) + 1));
    }
}
