package io.babelflow.trainer.corpus;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * A file of a source, not yet read. {@code key} names it independently of the machine (the manifest's
 * root as written, then the path below it) and is what splits and selections are hashed on.
 * {@code size} is its stored size; {@code translation} opens its translated counterpart, or is null.
 */
record SourceFile(String key, long size, SourceFormat format, Opener opener, Opener translation) {

    /** Opens a file's bytes; for an archive entry, the entry's. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    /** The file's bytes, decompressed if it is gzipped (man pages, Debian docs). */
    byte[] read() throws IOException {
        return readAll(opener);
    }

    byte[] readTranslation() throws IOException {
        return readAll(translation);
    }

    private static byte[] readAll(Opener opener) throws IOException {
        try (InputStream in = gunzipIfNeeded(new BufferedInputStream(opener.open()))) {
            return in.readAllBytes();
        }
    }

    /** gzip streams start with 1f 8b, which no UTF-8 text does, so sniffing is safe and needs no file names. */
    private static InputStream gunzipIfNeeded(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in) : in;
    }

    /** Whether the stored size is the size as text, so an over-large file can be passed over unread. */
    boolean sizeIsTextSize() {
        return format == SourceFormat.TEXT && !key.endsWith(".gz");
    }
}
