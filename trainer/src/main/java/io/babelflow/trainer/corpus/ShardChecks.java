package io.babelflow.trainer.corpus;

import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Size and CRC-32C of every shard of a prepared corpus, recorded in corpus.json when it is written
 * and checked when the corpus is opened: a shard replaced, truncated or emptied after preparation
 * is refused, naming it, instead of training silently on the wrong text.
 */
public final class ShardChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ShardChecks.class);
    static final List<String> SHARDS = List.of("train.bin", "heldout.bin", "probe.bin");

    /** One shard's recorded size and checksum (hex). */
    public record Shard(long bytes, String crc32c) {
    }

    private ShardChecks() {
    }

    /** The checks of every shard present under {@code dir}, keyed {@code <language>/<shard>}. */
    static Map<String, Shard> of(Path dir, List<String> languages) {
        Map<String, Shard> shards = new TreeMap<>();
        for (String id : languages) {
            for (String name : SHARDS) {
                Path file = dir.resolve(id).resolve(name);
                if (Files.isRegularFile(file)) {
                    shards.put(id + "/" + name, measure(file));
                }
            }
        }
        return shards;
    }

    /** Refuses a corpus whose shards differ from what corpus.json recorded; warns for an old corpus without checks. */
    static void verify(Path dir, Map<String, Shard> recorded) {
        if (recorded == null || recorded.isEmpty()) {
            LOG.warn("corpus {} was prepared without shard checksums, so a damaged shard cannot be detected; "
                    + "prepare it again ('babelflow corpus prepare --out {}') to have its shards checked", dir, dir);
            return;
        }
        for (var entry : recorded.entrySet()) {
            Path file = dir.resolve(entry.getKey());
            Shard expected = entry.getValue();
            if (!Files.isRegularFile(file)) {
                throw damaged(dir, file, "is missing");
            }
            Shard actual = measure(file);
            if (actual.bytes() != expected.bytes()) {
                throw damaged(dir, file, "has " + actual.bytes() + " bytes, corpus.json recorded " + expected.bytes());
            }
            if (!actual.crc32c().equals(expected.crc32c())) {
                throw damaged(dir, file, "has checksum " + actual.crc32c() + ", corpus.json recorded " + expected.crc32c()
                        + " (its content changed)");
            }
        }
    }

    private static InvalidInputException damaged(Path dir, Path file, String problem) {
        return new InvalidInputException("corpus shard " + file + " " + problem + "; prepare the corpus again "
                + "('babelflow corpus prepare --out " + dir + "')");
    }

    private static Shard measure(Path file) {
        CRC32C crc = new CRC32C();
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; bytes += n) {
                crc.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus shard " + file, e);
        }
        return new Shard(bytes, String.format("%08x", crc.getValue()));
    }
}
