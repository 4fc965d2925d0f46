package io.babelflow.streams.observatory;

/**
 * Composite store keys. Every key starts with the runId (the partitioning key, so a run lives in one
 * task); numbers are zero-padded so the byte order of the UTF-8 keys is x order and a prefix scan
 * returns a series' buckets oldest first.
 */
final class ObservatoryKeys {
    static final char SEP = '\u0000';

    private ObservatoryKeys() {
    }

    static String run(String runId) {
        return runId + SEP;
    }

    static String series(String runId, String series) {
        return run(runId) + series;
    }

    static String bucketPrefix(String runId, String series) {
        return series(runId, series) + SEP;
    }

    static String bucket(String runId, String series, long start) {
        return bucketPrefix(runId, series) + pad(start);
    }

    static String event(String runId, long sequence) {
        return run(runId) + pad(sequence);
    }

    static String layer(String runId, int layer) {
        return run(runId) + pad(layer);
    }

    /** The series name of a series key (after the run). */
    static String seriesName(String key) {
        return key.substring(key.indexOf(SEP) + 1);
    }

    static String pad(long n) {
        return String.format("%019d", n);
    }
}
