package io.babelflow.trainer.corpus;

import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.corpus.PreparedCorpus.LanguageInfo;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Prepares a {@link PreparedCorpus} from a {@link CorpusManifest}: per language, train / held-out shards
 * split by file, de-duplicated, UTF-8 checked, capped in bytes, plus fixed probe windows. Everything is a
 * function of the manifest's files and the seed, so the same seed gives byte-identical output.
 *
 * <p>The corpus is written to a temporary folder beside {@code out} and moved into place at the end, so a
 * failure leaves no half-written corpus. Packaged sources that are not installed are reported and left out;
 * the corpus must still have its primary language and at least one new language.
 */
public final class CorpusPreparer {

    /**
     * Knobs of a preparation. {@code heldoutFraction} is the expected share of files held out;
     * {@code overwrite} allows replacing an existing prepared corpus at {@code out}.
     */
    public record Options(long seed, long maxBytesPerLanguage, double heldoutFraction, int probeWindows,
            int probeWindow, boolean overwrite) {
        public static final long DEFAULT_SEED = 1234;
        /** Small enough that a preset trains on a CPU, large enough for a few thousand steps without repeating much. */
        public static final long DEFAULT_MAX_BYTES_PER_LANGUAGE = 4L << 20;

        public Options {
            if (maxBytesPerLanguage < 1024) {
                throw new InvalidInputException("max bytes per language must be at least 1024, not "
                        + maxBytesPerLanguage);
            }
            if (maxBytesPerLanguage > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException("max bytes per language must be under 2 GiB, not "
                        + maxBytesPerLanguage);
            }
            if (!(heldoutFraction > 0 && heldoutFraction < 1)) {
                throw new InvalidInputException("held-out fraction must be between 0 and 1, not " + heldoutFraction);
            }
            if (probeWindows < 0 || probeWindow < 1) {
                throw new InvalidInputException("probe windows need a count >= 0 and a size >= 1, not "
                        + probeWindows + " x " + probeWindow);
            }
        }

        /** Seed 1234, 4 MiB per language, 10% held out, 64 probe windows of 512 bytes, no overwrite. */
        public static Options defaults() {
            return new Options(DEFAULT_SEED, DEFAULT_MAX_BYTES_PER_LANGUAGE, 0.1, 64, 512, false);
        }

        public Options withSeed(long seed) {
            return new Options(seed, maxBytesPerLanguage, heldoutFraction, probeWindows, probeWindow, overwrite);
        }

        public Options withMaxBytesPerLanguage(long max) {
            return new Options(seed, max, heldoutFraction, probeWindows, probeWindow, overwrite);
        }

        public Options withProbes(int windows, int windowBytes) {
            return new Options(seed, maxBytesPerLanguage, heldoutFraction, windows, windowBytes, overwrite);
        }

        public Options withHeldoutFraction(double fraction) {
            return new Options(seed, maxBytesPerLanguage, fraction, probeWindows, probeWindow, overwrite);
        }

        public Options withOverwrite(boolean overwrite) {
            return new Options(seed, maxBytesPerLanguage, heldoutFraction, probeWindows, probeWindow, overwrite);
        }
    }

    private final Options options;
    private final PrepareListener listener;

    public CorpusPreparer(Options options, PrepareListener listener) {
        this.options = options;
        this.listener = listener;
    }

    /**
     * Prepares the corpus into {@code out}.
     *
     * @throws InvalidInputException if a source without a package is missing or empty, a language has no
     *     usable text, the primary or every new language is unavailable (the message names the packages to
     *     install), or {@code out} exists and is not a corpus that may be overwritten
     * @throws IOException if writing fails; nothing is left at {@code out} then
     */
    public PreparationResult prepare(CorpusManifest manifest, Path out) throws IOException {
        long start = System.nanoTime();
        Path target = out.toAbsolutePath().normalize();
        checkTarget(target);
        if (manifest.languages().stream().noneMatch(l -> l.role() == LanguageRole.NEW)) {
            throw new InvalidInputException("corpus " + manifest.name()
                    + " has no language with role 'new': there would be nothing to learn after the primary");
        }
        List<MissingSource> missing = new ArrayList<>();
        Consumer<MissingSource> onMissing = m -> {
            missing.add(m);
            listener.sourceMissing(m);
        };
        Path parent = Files.createDirectories(target.getParent());
        Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".preparing-");
        try {
            List<LanguageInfo> languages = new ArrayList<>();
            try (SourceScanner scanner = new SourceScanner(manifest, onMissing)) {
                for (CorpusManifest.Language language : manifest.languages()) {
                    SourceScanner.Scan scan = scanner.scan(language);
                    if (scan.files().isEmpty()) {
                        listener.languageDropped(language.id(), language.role());
                        continue;
                    }
                    languages.add(new LanguageShards(language, options, listener)
                            .write(scan.files(), describe(manifest, scan.used()), temp));
                }
            }
            requireRoles(manifest, languages, missing);
            PreparedCorpus.Summary summary = new PreparedCorpus.Summary(manifest.name(), options.seed(),
                    options.probeWindow(), languages, options.maxBytesPerLanguage(), options.heldoutFraction());
            summary = PreparedCorpus.writeSummary(temp, summary);
            moveIntoPlace(temp, target);
            return new PreparationResult(target, summary, missing, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            deleteRecursively(temp);
        }
    }

    private static List<String> describe(CorpusManifest manifest, List<CorpusManifest.Source> used) {
        return used.stream()
                .map(s -> manifest.root(s) + (s.debianPackage() == null ? "" : " (" + s.debianPackage() + ")"))
                .toList();
    }

    /** A corpus without its primary language, or with nothing new to learn, is no use for the study. */
    private static void requireRoles(CorpusManifest manifest, List<LanguageInfo> prepared,
            List<MissingSource> missing) {
        for (LanguageRole role : List.of(LanguageRole.PRIMARY, LanguageRole.NEW)) {
            boolean wanted = manifest.languages().stream().anyMatch(l -> l.role() == role);
            boolean present = prepared.stream().anyMatch(l -> l.role() == role);
            if (wanted && !present) {
                List<String> packages = manifest.languages().stream().filter(l -> l.role() == role)
                        .flatMap(l -> missing.stream().filter(m -> m.languageId().equals(l.id())))
                        .map(MissingSource::debianPackage).distinct().toList();
                throw new InvalidInputException("corpus " + manifest.name() + " has no "
                        + role.name().toLowerCase(java.util.Locale.ROOT) + " language on this machine; install "
                        + "at least one of its sources: apt-get install " + String.join(" ", packages));
            }
        }
    }

    private void checkTarget(Path target) {
        if (Files.isRegularFile(target)) {
            throw new InvalidInputException("output " + target + " is a file, not a folder");
        }
        if (Files.isDirectory(target) && !isEmptyDirectory(target)) {
            boolean corpus = Files.isRegularFile(target.resolve(PreparedCorpus.SUMMARY));
            if (!corpus || !options.overwrite()) {
                throw new InvalidInputException("output folder " + target + " is not empty"
                        + (corpus ? " (it holds a prepared corpus; allow overwriting to replace it)"
                                : "; choose a new or empty folder"));
            }
        }
    }

    /** Moves the finished corpus into place; an old corpus is moved aside first and deleted only after. */
    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        Path old = null;
        if (Files.isDirectory(target) && isEmptyDirectory(target)) {
            Files.delete(target);
        } else if (Files.exists(target)) {
            old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
            Files.delete(old);
            Files.move(target, old);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
