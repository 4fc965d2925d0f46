package io.babelflow.streams.observatory;

/** Bucket width and extent of one series; the width is a power of two (see {@link Downsampling}). */
public record SeriesMeta(long width, long lastX, long points) {
}
