package io.babelflow.trainer.corpus;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A corpus as {@code babelflow corpus prepare} leaves it, read by the trainer:
 * <pre>
 * DIR/corpus.json            summary: preset, seed, probeWindow, per-language LanguageInfo
 * DIR/&lt;id&gt;/train.bin       training split: the language's files, UTF-8, concatenated, each followed by one 0x0A
 * DIR/&lt;id&gt;/heldout.bin     held-out split (split by file, never by byte range)
 * DIR/&lt;id&gt;/probe.bin       fixed probe set: probeWindows windows of probeWindow bytes each, back to back,
 *                            cut from heldout.bin at prepare time so every step and run probes the same text
 * </pre>
 */
public final class PreparedCorpus {
    public static final String SUMMARY = "corpus.json";

    /**
     * Per-language summary, as written to corpus.json. Files are documents: a source file, or for a FAQ one
     * chapter. {@code skippedFiles} is the sum of the binary, undecodable, unreadable and empty ones;
     * {@code cappedFiles} were left out (or never read) to keep the language under the byte cap.
     * {@code sources} names each source used and its Debian package.
     */
    public record LanguageInfo(String id, LanguageRole role, long trainBytes, int trainFiles, long heldoutBytes,
            int heldoutFiles, int probeWindows, int skippedFiles, int duplicateFiles, String licence,
            int binaryFiles, int undecodableFiles, int unreadableFiles, int emptyFiles, int cappedFiles,
            List<String> sources) {

        /** The original fields only, for summaries written before the breakdown existed. */
        public LanguageInfo(String id, LanguageRole role, long trainBytes, int trainFiles, long heldoutBytes,
                int heldoutFiles, int probeWindows, int skippedFiles, int duplicateFiles, String licence) {
            this(id, role, trainBytes, trainFiles, heldoutBytes, heldoutFiles, probeWindows, skippedFiles,
                    duplicateFiles, licence, 0, 0, 0, 0, 0, List.of());
        }
    }

    /**
     * The whole corpus.json. {@code maxBytesPerLanguage} and {@code heldoutFraction} record how it was
     * prepared (0 when unknown); {@code shards} the size and CRC-32C of each shard, keyed
     * {@code <language>/<shard>}, filled in by {@link #writeSummary} (absent in corpora prepared before).
     */
    public record Summary(String preset, long seed, int probeWindow, List<LanguageInfo> languages,
            long maxBytesPerLanguage, double heldoutFraction, Map<String, ShardChecks.Shard> shards) {

        public Summary(String preset, long seed, int probeWindow, List<LanguageInfo> languages,
                long maxBytesPerLanguage, double heldoutFraction) {
            this(preset, seed, probeWindow, languages, maxBytesPerLanguage, heldoutFraction, null);
        }

        public Summary(String preset, long seed, int probeWindow, List<LanguageInfo> languages) {
            this(preset, seed, probeWindow, languages, 0, 0);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path dir;
    private final Summary summary;

    private PreparedCorpus(Path dir, Summary summary) {
        this.dir = dir;
        this.summary = summary;
    }

    /** Opens a prepared corpus; a missing folder, summary or split is an {@link InvalidInputException}. */
    public static PreparedCorpus open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("corpus folder " + dir + " does not exist; create one with "
                    + "'babelflow corpus prepare --preset code --out " + dir + "'");
        }
        Path summaryFile = dir.resolve(SUMMARY);
        if (!Files.isRegularFile(summaryFile)) {
            throw new InvalidInputException("corpus folder " + dir + " has no " + SUMMARY
                    + " (is it empty, or not prepared?); run 'babelflow corpus prepare --out " + dir + "'");
        }
        Summary summary;
        try {
            summary = JSON.readValue(summaryFile.toFile(), Summary.class);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + summaryFile + ": " + e.getMessage(), e);
        }
        if (summary.languages() == null || summary.languages().isEmpty()) {
            throw new InvalidInputException("corpus " + dir + " lists no languages in " + SUMMARY);
        }
        ShardChecks.verify(dir, summary.shards());
        PreparedCorpus corpus = new PreparedCorpus(dir, summary);
        for (LanguageInfo info : summary.languages()) {
            Path train = corpus.file(info.id(), "train.bin");
            if (!Files.isRegularFile(train) || sizeOf(train) == 0) {
                throw new InvalidInputException("corpus " + dir + ": language '" + info.id()
                        + "' has no training text (" + train + " missing or empty)");
            }
        }
        return corpus;
    }

    /**
     * Writes corpus.json with the size and checksum of every shard already in {@code dir}; used by the
     * preparer. Returns the summary as written.
     */
    public static Summary writeSummary(Path dir, Summary summary) throws IOException {
        Files.createDirectories(dir);
        Summary checked = new Summary(summary.preset(), summary.seed(), summary.probeWindow(), summary.languages(),
                summary.maxBytesPerLanguage(), summary.heldoutFraction(),
                ShardChecks.of(dir, summary.languages().stream().map(LanguageInfo::id).toList()));
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(SUMMARY).toFile(), checked);
        return checked;
    }

    public Path dir() {
        return dir;
    }

    public Summary summary() {
        return summary;
    }

    public List<LanguageInfo> languages() {
        return summary.languages();
    }

    public List<String> languageIds() {
        return summary.languages().stream().map(LanguageInfo::id).toList();
    }

    public LanguageInfo language(String id) {
        return summary.languages().stream().filter(l -> l.id().equals(id)).findFirst()
                .orElseThrow(() -> new InvalidInputException("language '" + id + "' is not in corpus " + dir
                        + " (it has " + languageIds() + ")"));
    }

    /** Training bytes of a language, memory-mapped read-only. */
    public ByteBuffer train(String id) {
        return map(file(language(id).id(), "train.bin"));
    }

    /** Held-out bytes of a language, memory-mapped read-only (may be empty for tiny corpora). */
    public ByteBuffer heldout(String id) {
        Path f = file(language(id).id(), "heldout.bin");
        return Files.exists(f) ? map(f) : ByteBuffer.allocate(0);
    }

    /** The language's fixed probe windows, each {@code summary().probeWindow()} bytes. */
    public List<byte[]> probeWindows(String id) {
        Path f = file(language(id).id(), "probe.bin");
        List<byte[]> windows = new ArrayList<>();
        if (!Files.exists(f)) {
            return windows;
        }
        try {
            byte[] all = Files.readAllBytes(f);
            int w = summary.probeWindow();
            for (int off = 0; off + w <= all.length; off += w) {
                windows.add(java.util.Arrays.copyOfRange(all, off, off + w));
            }
            return windows;
        } catch (IOException e) {
            throw new InvalidInputException("cannot read probe set " + f + ": " + e.getMessage(), e);
        }
    }

    private Path file(String id, String name) {
        return dir.resolve(id).resolve(name);
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private static ByteBuffer map(Path f) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
