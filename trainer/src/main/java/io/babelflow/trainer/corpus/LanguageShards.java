package io.babelflow.trainer.corpus;

import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.corpus.DocumentReader.Document;
import io.babelflow.trainer.corpus.PreparedCorpus.LanguageInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one language's shards. Files are read in an order shuffled by the seed and taken while they fit
 * under the byte cap, so a capped language is a seeded random sample of its sources rather than their
 * first folders; duplicates (by SHA-256 of the text) are dropped before the split, so no text is in both
 * splits. Each document goes to held-out when a seeded hash of its key falls under the held-out fraction:
 * the split is by file, and the same file splits alike in every language that uses it.
 */
final class LanguageShards {
    /** Reading stops once less than this share of the cap is left: the remaining files would rarely fit. */
    private static final int ROOM_DIVISOR = 64;

    private record Taken(Document document, boolean heldout, double splitHash) {
    }

    private final CorpusManifest.Language language;
    private final CorpusPreparer.Options options;
    private final PrepareListener listener;
    private final Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
    private final List<Taken> taken = new ArrayList<>();
    private final Set<ByteBuffer> seen = new HashSet<>();
    private int capped;

    LanguageShards(CorpusManifest.Language language, CorpusPreparer.Options options, PrepareListener listener) {
        this.language = language;
        this.options = options;
        this.listener = listener;
    }

    /** Reads, selects and splits {@code files}, writes DIR/id/{train,heldout,probe}.bin and returns the summary. */
    LanguageInfo write(List<SourceFile> files, List<String> sources, Path dir) throws IOException {
        listener.languageStarted(language.id(), language.role(), files.size());
        select(files);
        if (taken.isEmpty()) {
            throw new InvalidInputException("language '" + language.id() + "': none of its " + files.size()
                    + " files is usable text (" + describeSkips() + ")");
        }
        balanceSplits();
        ByteArrayOutputStream train = new ByteArrayOutputStream();
        ByteArrayOutputStream heldout = new ByteArrayOutputStream();
        int trainFiles = 0;
        for (Taken t : taken) {
            ByteArrayOutputStream split = t.heldout() ? heldout : train;
            split.write(t.document().text());
            split.write('\n');
            trainFiles += t.heldout() ? 0 : 1;
        }
        byte[] heldoutBytes = heldout.toByteArray();
        byte[] probe = ProbeWindows.cut(heldoutBytes, options.probeWindows(), options.probeWindow(), options.seed(),
                language.id());
        int windows = probe.length / options.probeWindow();
        if (windows < options.probeWindows()) {
            listener.warning("language " + language.id() + ": held-out split has " + heldoutBytes.length
                    + " bytes, room for " + windows + " of " + options.probeWindows() + " probe windows of "
                    + options.probeWindow() + " bytes");
        }
        Path out = Files.createDirectories(dir.resolve(language.id()));
        Files.write(out.resolve("train.bin"), train.toByteArray());
        Files.write(out.resolve("heldout.bin"), heldoutBytes);
        Files.write(out.resolve("probe.bin"), probe);

        LanguageInfo info = new LanguageInfo(language.id(), language.role(), train.size(), trainFiles,
                heldoutBytes.length, taken.size() - trainFiles, windows, skippedTotal(), count(SkipReason.DUPLICATE),
                language.licence(), count(SkipReason.BINARY), count(SkipReason.UNDECODABLE),
                count(SkipReason.UNREADABLE), count(SkipReason.EMPTY), capped, sources);
        listener.languageFinished(info);
        return info;
    }

    private void select(List<SourceFile> files) {
        List<SourceFile> order = new ArrayList<>(files);
        long seed = options.seed();
        order.sort(Comparator.comparingLong((SourceFile f) -> SeededHash.bits(seed, "select", f.key()))
                .thenComparing(SourceFile::key));
        long cap = options.maxBytesPerLanguage();
        long used = 0;
        for (int i = 0; i < order.size(); i++) {
            long room = cap - used;
            if (room < cap / ROOM_DIVISOR) {
                capped += order.size() - i;
                break;
            }
            SourceFile file = order.get(i);
            if (file.sizeIsTextSize() && file.size() + 1 > room) {
                capped++;
                continue;
            }
            List<Document> documents;
            try {
                documents = DocumentReader.read(file);
            } catch (DocumentReader.Skipped s) {
                skip(file.key(), s.reason(), s.getMessage());
                continue;
            }
            for (Document d : documents) {
                if (!seen.add(ByteBuffer.wrap(SeededHash.content(d.text())))) {
                    skip(d.key(), SkipReason.DUPLICATE, "same text as a file already taken");
                } else if (d.text().length + 1 > cap - used) {
                    capped++;
                } else {
                    double h = SeededHash.unit(seed, "split", d.key());
                    taken.add(new Taken(d, h < options.heldoutFraction(), h));
                    used += d.text().length + 1;
                }
            }
        }
    }

    /** Random splits of a few files can leave one side empty; with two or more files, each side gets one. */
    private void balanceSplits() {
        if (taken.size() < 2) {
            return;
        }
        if (taken.stream().noneMatch(Taken::heldout)) {
            move(taken.stream().min(Comparator.comparingDouble(Taken::splitHash)).orElseThrow(), true);
        } else if (taken.stream().allMatch(Taken::heldout)) {
            move(taken.stream().max(Comparator.comparingDouble(Taken::splitHash)).orElseThrow(), false);
        }
    }

    private void move(Taken t, boolean heldout) {
        taken.set(taken.indexOf(t), new Taken(t.document(), heldout, t.splitHash()));
    }

    private void skip(String key, SkipReason reason, String detail) {
        skipped.merge(reason, 1, Integer::sum);
        listener.fileSkipped(language.id(), key, reason, detail);
    }

    private int count(SkipReason reason) {
        return skipped.getOrDefault(reason, 0);
    }

    private int skippedTotal() {
        return count(SkipReason.BINARY) + count(SkipReason.UNDECODABLE) + count(SkipReason.UNREADABLE)
                + count(SkipReason.EMPTY);
    }

    private String describeSkips() {
        return skipped.isEmpty() ? "no text found" : skipped.toString().toLowerCase(java.util.Locale.ROOT);
    }
}
