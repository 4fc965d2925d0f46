package io.babelflow.trainer.corpus;

import io.babelflow.schemas.InvalidInputException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Lists the files of a language's sources. A missing or empty packaged source is reported to
 * {@code onMissing} and skipped; a missing or empty source without a package is the user's own folder,
 * so it is an {@link InvalidInputException}. Archives stay open until {@link #close()}.
 */
final class SourceScanner implements Closeable {
    private final CorpusManifest manifest;
    private final Consumer<MissingSource> onMissing;
    private final List<ZipFile> archives = new ArrayList<>();

    SourceScanner(CorpusManifest manifest, Consumer<MissingSource> onMissing) {
        this.manifest = manifest;
        this.onMissing = onMissing;
    }

    /** The language's files from every available source, and the sources that were used. */
    record Scan(List<SourceFile> files, List<CorpusManifest.Source> used) {
    }

    Scan scan(CorpusManifest.Language language) throws IOException {
        List<SourceFile> files = new ArrayList<>();
        List<CorpusManifest.Source> used = new ArrayList<>();
        for (CorpusManifest.Source source : language.sources()) {
            Path root = manifest.root(source);
            Path translation = source.translation() == null ? null : root.resolve(source.translation());
            if (!Files.exists(root) || (translation != null && !Files.isRegularFile(translation))) {
                missing(language, source, "does not exist"
                        + (translation != null && Files.exists(root) ? " (no " + translation + ")" : ""));
                continue;
            }
            List<SourceFile> found = Files.isDirectory(root) ? walk(source, root, translation) : entries(source, root);
            if (found.isEmpty()) {
                missing(language, source, "has no files matching " + source.include()
                        + (source.exclude().isEmpty() ? "" : " except " + source.exclude()));
                continue;
            }
            files.addAll(found);
            used.add(source);
        }
        return new Scan(files, used);
    }

    private void missing(CorpusManifest.Language language, CorpusManifest.Source source, String problem) {
        if (source.debianPackage() == null) {
            throw new InvalidInputException("corpus " + manifest.name() + ", language '" + language.id()
                    + "': source " + manifest.root(source) + " " + problem);
        }
        onMissing.accept(new MissingSource(language.id(), manifest.root(source).toString(), source.debianPackage(),
                problem));
    }

    private static List<SourceFile> walk(CorpusManifest.Source source, Path link, Path translation) throws IOException {
        Path root = link.toRealPath(); // /usr/share/perl/5.36 is a link, and Files.walk does not enter one
        Glob glob = new Glob(source.include(), source.exclude());
        SourceFile.Opener translationOpener = translation == null ? null : () -> Files.newInputStream(translation);
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !Files.isDirectory(p))
                    .map(p -> relative(root, p))
                    .filter(glob::matches)
                    .sorted()
                    .map(rel -> {
                        Path file = root.resolve(rel);
                        return new SourceFile(source.root() + "/" + rel, sizeOrZero(file), source.format(),
                                () -> Files.newInputStream(file), translationOpener);
                    })
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private List<SourceFile> entries(CorpusManifest.Source source, Path root) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(root.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("source " + root + " is neither a folder nor a readable zip archive: "
                    + e.getMessage(), e);
        }
        archives.add(zip);
        Glob glob = new Glob(source.include(), source.exclude());
        return zip.stream()
                .filter(e -> !e.isDirectory() && glob.matches(e.getName()))
                .sorted(Comparator.comparing(ZipEntry::getName))
                .map(e -> new SourceFile(source.root() + "!/" + e.getName(), Math.max(0, e.getSize()),
                        source.format(), () -> zip.getInputStream(e), null))
                .toList();
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /** A file that cannot even be stat'ed is listed with size 0 and counted as unreadable when read. */
    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() throws IOException {
        for (ZipFile zip : archives) {
            zip.close();
        }
    }
}
