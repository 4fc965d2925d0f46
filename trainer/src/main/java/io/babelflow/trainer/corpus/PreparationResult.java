package io.babelflow.trainer.corpus;

import io.babelflow.trainer.corpus.PreparedCorpus.LanguageInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** What {@link CorpusPreparer#prepare} made: the corpus folder, its summary, the sources it had to leave out. */
public record PreparationResult(Path dir, PreparedCorpus.Summary summary, List<MissingSource> missingSources,
        Duration elapsed) {

    public PreparationResult {
        missingSources = List.copyOf(missingSources);
    }

    /** A table of bytes and files per language and split, then the missing sources with their install hints. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "corpus %s (seed %d) in %s, %.1f s%n", summary.preset(),
                summary.seed(), dir, elapsed.toMillis() / 1000.0));
        out.append(String.format(Locale.ROOT, "%-10s %-11s %12s %6s %12s %6s %6s %8s %6s %6s%n", "language", "role",
                "train bytes", "files", "heldout bytes", "files", "probes", "skipped", "dups", "capped"));
        long train = 0;
        long heldout = 0;
        for (LanguageInfo l : summary.languages()) {
            out.append(String.format(Locale.ROOT, "%-10s %-11s %12d %6d %12d %6d %6d %8d %6d %6d%n", l.id(),
                    l.role().name().toLowerCase(Locale.ROOT), l.trainBytes(), l.trainFiles(), l.heldoutBytes(),
                    l.heldoutFiles(), l.probeWindows(), l.skippedFiles(), l.duplicateFiles(), l.cappedFiles()));
            train += l.trainBytes();
            heldout += l.heldoutBytes();
        }
        out.append(String.format(Locale.ROOT, "%-22s %12d %6s %12d%n", "total", train, "", heldout));
        for (MissingSource m : missingSources) {
            out.append("missing: ").append(m).append(System.lineSeparator());
        }
        return out.toString();
    }
}
