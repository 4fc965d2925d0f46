package io.babelflow.ops.python;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the Python client's spool: segments of {@code <u32 topic><u32 key><u32 value>} lengths then bytes, LE. */
final class SpoolRecords {
    record Entry(String topic, String key, byte[] value) {
    }

    private SpoolRecords() {
    }

    static List<Entry> read(Path spoolDir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(spoolDir)) {
            for (Path segment : files.filter(p -> p.getFileName().toString().matches("spool-\\d+\\.bin")).sorted().toList()) {
                ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 12) {
                    byte[] topic = new byte[b.getInt()];
                    byte[] key = new byte[b.getInt()];
                    byte[] value = new byte[b.getInt()];
                    b.get(topic).get(key).get(value);
                    entries.add(new Entry(new String(topic, StandardCharsets.UTF_8), new String(key, StandardCharsets.UTF_8),
                            value));
                }
            }
        }
        return entries;
    }
}
