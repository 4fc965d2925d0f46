package io.babelflow.trainer.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The hand-written fixture corpus under test resources, and helpers to inspect what was prepared from it. */
final class Fixture {
    private Fixture() {
    }

    static Path dir() {
        try {
            return Path.of(Fixture.class.getResource("/fixture-corpus/manifest.yaml").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CorpusManifest manifest() {
        return CorpusManifest.load(dir().resolve("manifest.yaml"));
    }

    /** Small probes, since the fixture's held-out splits are a few hundred bytes. */
    static CorpusPreparer.Options options() {
        return CorpusPreparer.Options.defaults().withProbes(4, 64).withHeldoutFraction(0.3);
    }

    static PreparationResult prepare(CorpusManifest manifest, CorpusPreparer.Options options, Path out) {
        try {
            return new CorpusPreparer(options, PrepareListener.SILENT).prepare(manifest, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a manifest into {@code dir} and loads it. */
    static CorpusManifest manifest(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("manifest.yaml");
        Files.writeString(file, yaml);
        return CorpusManifest.load(file);
    }

    /** Every regular file below {@code dir}, relative, sorted. */
    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            List<String> files = new ArrayList<>();
            paths.filter(Files::isRegularFile).sorted().forEach(p -> files.add(dir.relativize(p).toString()));
            return files;
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
