package io.babelflow.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.corpus.PreparedCorpus.LanguageInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusPreparerTest {
    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesByteIdenticalCorpus() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Fixture.prepare(Fixture.manifest(), Fixture.options(), a);
        Fixture.prepare(Fixture.manifest(), Fixture.options(), b);

        List<String> files = Fixture.files(a);
        assertEquals(files, Fixture.files(b));
        assertTrue(files.contains("go/probe.bin"), files.toString());
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
    }

    @Test
    void differentSeedsSplitDifferently() throws IOException {
        Set<ByteBuffer> heldouts = new HashSet<>();
        for (long seed = 1; seed <= 6; seed++) {
            Path out = tmp.resolve("seed" + seed);
            Fixture.prepare(Fixture.manifest(), Fixture.options().withSeed(seed), out);
            heldouts.add(ByteBuffer.wrap(Files.readAllBytes(out.resolve("python/heldout.bin"))));
        }
        assertTrue(heldouts.size() > 1, "six seeds all held out the same python files");
    }

    @Test
    void everyFileLandsInExactlyOneSplitAndDuplicatesOnce() throws IOException {
        Path out = tmp.resolve("c");
        Fixture.prepare(Fixture.manifest(), Fixture.options(), out);
        for (String language : List.of("python", "go", "cpp")) {
            byte[] train = Files.readAllBytes(out.resolve(language).resolve("train.bin"));
            byte[] heldout = Files.readAllBytes(out.resolve(language).resolve("heldout.bin"));
            assertTrue(train.length > 0 && heldout.length > 0, language + " has both splits");
            for (String f : Fixture.files(Fixture.dir().resolve(language))) {
                byte[] text = Files.readAllBytes(Fixture.dir().resolve(language).resolve(f));
                if (!Utf8Text.isValid(text) || Utf8Text.looksBinary(text) || f.endsWith(".md")) {
                    continue;
                }
                int inTrain = occurrences(train, text);
                int inHeldout = occurrences(heldout, text);
                assertEquals(1, inTrain + inHeldout, language + "/" + f + " should be in exactly one split, once");
            }
        }
    }

    @Test
    void binaryUndecodableAndDuplicateFilesAreSkippedAndCounted() {
        List<String> skipped = new ArrayList<>();
        PrepareListener listener = new PrepareListener() {
            @Override
            public void fileSkipped(String languageId, String key, SkipReason reason, String detail) {
                skipped.add(reason + " " + key);
            }
        };
        PreparationResult result = prepare(Fixture.manifest(), Fixture.options(), tmp.resolve("d"), listener);

        LanguageInfo python = language(result, "python");
        assertEquals(1, python.binaryFiles());
        assertEquals(1, python.undecodableFiles());
        assertEquals(1, python.duplicateFiles());
        assertEquals(2, python.skippedFiles());
        assertEquals(5, python.trainFiles() + python.heldoutFiles(), "seven .py files, one a duplicate, one Latin-1");
        assertTrue(skipped.contains("BINARY python/icon.png"), skipped.toString());
        assertTrue(skipped.contains("UNDECODABLE python/latin1_notes.py"), skipped.toString());
        assertTrue(skipped.stream().noneMatch(s -> s.contains("README")), "excluded files are never read");
        assertEquals(0, language(result, "go").skippedFiles());
        assertEquals(4, language(result, "go").trainFiles() + language(result, "go").heldoutFiles());
    }

    @Test
    void unreadableFileIsSkippedAndCounted() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/go"));
        Files.writeString(src.resolve("a.go"), "package a\n\nfunc A() int { return 1 }\n");
        Files.writeString(src.resolve("b.go"), "package b\n\nfunc B() int { return 2 }\n");
        Files.createSymbolicLink(src.resolve("broken.go"), src.resolve("no-such-file.go"));
        Files.writeString(tmp.resolve("src/p.py"), "print('primary')\n");
        CorpusManifest manifest = Fixture.manifest(tmp.resolve("src"), """
                languages:
                  - {id: python, role: primary, sources: [{root: ., include: ["*.py"]}]}
                  - {id: go, role: new, sources: [{root: go}]}
                """);
        LanguageInfo go = language(Fixture.prepare(manifest, Fixture.options(), tmp.resolve("out")), "go");
        assertEquals(1, go.unreadableFiles());
        assertEquals(1, go.skippedFiles());
        assertEquals(2, go.trainFiles() + go.heldoutFiles());
    }

    @Test
    void byteCapTakesADeterministicSampleUnderTheCap() throws IOException {
        CorpusPreparer.Options capped = Fixture.options().withMaxBytesPerLanguage(2048);
        PreparationResult first = Fixture.prepare(Fixture.manifest(), capped, tmp.resolve("cap1"));
        PreparationResult second = Fixture.prepare(Fixture.manifest(), capped, tmp.resolve("cap2"));

        for (LanguageInfo l : first.summary().languages()) {
            assertTrue(l.trainBytes() + l.heldoutBytes() <= 2048, l.toString());
            assertTrue(l.cappedFiles() > 0, l.id() + " has more than 2 KiB, so some files are left out");
        }
        assertEquals(first.summary(), second.summary());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("cap1/cpp/train.bin")),
                Files.readAllBytes(tmp.resolve("cap2/cpp/train.bin")));
    }

    @Test
    void probeWindowsAreFixedAndCutFromHeldout() throws IOException {
        Fixture.prepare(Fixture.manifest(), Fixture.options(), tmp.resolve("p1"));
        Fixture.prepare(Fixture.manifest(), Fixture.options(), tmp.resolve("p2"));
        PreparedCorpus corpus = PreparedCorpus.open(tmp.resolve("p1"));
        assertEquals(64, corpus.summary().probeWindow());
        for (LanguageInfo l : corpus.languages()) {
            byte[] heldout = Files.readAllBytes(tmp.resolve("p1").resolve(l.id()).resolve("heldout.bin"));
            List<byte[]> windows = corpus.probeWindows(l.id());
            assertEquals(Math.min(4, heldout.length / 64), windows.size(), l.id());
            assertEquals(windows.size(), l.probeWindows());
            int previousEnd = 0;
            for (byte[] w : windows) {
                int at = Fixture.indexOf(java.util.Arrays.copyOfRange(heldout, previousEnd, heldout.length), w);
                assertTrue(at >= 0, l.id() + ": every window is held-out text, in order, without overlap");
                previousEnd += at + w.length;
            }
            assertArrayEquals(Files.readAllBytes(tmp.resolve("p1").resolve(l.id()).resolve("probe.bin")),
                    Files.readAllBytes(tmp.resolve("p2").resolve(l.id()).resolve("probe.bin")));
        }
    }

    @Test
    void heldoutTooSmallForAWindowGivesNoProbesAndAWarning() {
        List<String> warnings = new ArrayList<>();
        PrepareListener listener = new PrepareListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        };
        PreparationResult result = prepare(Fixture.manifest(), Fixture.options().withProbes(2, 1 << 20),
                tmp.resolve("w"), listener);
        assertTrue(result.summary().languages().stream().allMatch(l -> l.probeWindows() == 0));
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("room for 0 of 2 probe windows"), warnings.get(0));
    }

    @Test
    void preparedCorpusOpensWhatWasWritten() throws IOException {
        Path out = tmp.resolve("open");
        PreparationResult result = Fixture.prepare(Fixture.manifest(), Fixture.options(), out);
        PreparedCorpus corpus = PreparedCorpus.open(out);

        assertEquals(List.of("python", "go", "cpp"), corpus.languageIds());
        assertEquals(result.summary(), corpus.summary());
        assertEquals("fixture", corpus.summary().preset());
        assertEquals(LanguageRole.PRIMARY, corpus.language("python").role());
        assertEquals(List.of("go"), corpus.language("go").sources().stream()
                .map(s -> Path.of(s).getFileName().toString()).toList());
        ByteBuffer train = corpus.train("go");
        assertEquals(corpus.language("go").trainBytes(), train.remaining());
        byte[] bytes = new byte[train.remaining()];
        train.get(bytes);
        assertArrayEquals(Files.readAllBytes(out.resolve("go/train.bin")), bytes);
        assertEquals(corpus.language("go").heldoutBytes(), corpus.heldout("go").remaining());
        assertTrue(result.table().contains("python"), result.table());
    }

    @Test
    void missingPackagedSourceIsReportedWithItsPackageAndSkipped() throws IOException {
        String fixture = Fixture.dir().toString();
        CorpusManifest manifest = Fixture.manifest(tmp, """
                name: partly-installed
                languages:
                  - {id: python, role: primary, sources: [{root: "%1$s/python", include: ["**/*.py"]}]}
                  - id: go
                    role: new
                    sources:
                      - {root: "%1$s/go", include: ["*.go"]}
                      - {root: /nonexistent/babelflow/go-extra, package: golang-babelflow-extra}
                  - {id: zig, role: new, sources: [{root: /nonexistent/babelflow/zig, package: zig-babelflow-src}]}
                """.formatted(fixture));
        List<MissingSource> reported = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        PrepareListener listener = new PrepareListener() {
            @Override
            public void sourceMissing(MissingSource missing) {
                reported.add(missing);
            }

            @Override
            public void languageDropped(String languageId, LanguageRole role) {
                dropped.add(languageId);
            }
        };
        PreparationResult result = prepare(manifest, Fixture.options(), tmp.resolve("out"), listener);

        assertEquals(reported, result.missingSources());
        assertEquals(List.of("golang-babelflow-extra", "zig-babelflow-src"),
                reported.stream().map(MissingSource::debianPackage).toList());
        String zig = reported.get(1).toString();
        assertTrue(zig.contains("apt-get install zig-babelflow-src"), zig);
        assertEquals(List.of("zig"), dropped);
        assertEquals(List.of("python", "go"), PreparedCorpus.open(tmp.resolve("out")).languageIds());
        assertTrue(result.table().contains("apt-get install golang-babelflow-extra"), result.table());
    }

    @Test
    void everyNewLanguageMissingIsInvalidInputNamingThePackages() throws IOException {
        CorpusManifest manifest = Fixture.manifest(tmp, """
                languages:
                  - {id: python, role: primary, sources: [{root: "%s/python"}]}
                  - {id: go, role: new, sources: [{root: /nonexistent/babelflow/go, package: golang-babelflow-src}]}
                  - {id: zig, role: new, sources: [{root: /nonexistent/babelflow/zig, package: zig-babelflow-src}]}
                """.formatted(Fixture.dir()));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Fixture.prepare(manifest, Fixture.options(), tmp.resolve("out")));
        assertTrue(e.getMessage().contains("apt-get install golang-babelflow-src zig-babelflow-src"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void manifestWithoutNewLanguageIsInvalidInput() throws IOException {
        CorpusManifest manifest = Fixture.manifest(tmp, """
                languages:
                  - {id: python, role: primary, sources: [{root: "%s/python"}]}
                """.formatted(Fixture.dir()));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Fixture.prepare(manifest, Fixture.options(), tmp.resolve("out")));
        assertTrue(e.getMessage().contains("no language with role 'new'"), e.getMessage());
    }

    @Test
    void missingOrEmptyUnpackagedFolderIsInvalidInput() throws IOException {
        Files.createDirectories(tmp.resolve("empty"));
        for (String root : List.of("no-such-folder", "empty")) {
            CorpusManifest manifest = Fixture.manifest(tmp, """
                    languages:
                      - {id: python, role: primary, sources: [{root: "%s/python"}]}
                      - {id: go, role: new, sources: [{root: %s}]}
                    """.formatted(Fixture.dir(), root));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> Fixture.prepare(manifest, Fixture.options(), tmp.resolve("out")));
            assertTrue(e.getMessage().contains(tmp.resolve(root).toString()), e.getMessage());
            assertTrue(e.getMessage().contains("go"), e.getMessage());
        }
    }

    @Test
    void failureLeavesNoHalfWrittenCorpus() throws IOException {
        Path junk = Files.createDirectories(tmp.resolve("src/junk"));
        Files.write(junk.resolve("x.go"), new byte[] {0, 1, 2});
        CorpusManifest manifest = Fixture.manifest(tmp.resolve("src"), """
                languages:
                  - {id: python, role: primary, sources: [{root: "%s/python"}]}
                  - {id: go, role: new, sources: [{root: junk}]}
                """.formatted(Fixture.dir()));
        Path parent = Files.createDirectories(tmp.resolve("corpora"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Fixture.prepare(manifest, Fixture.options(), parent.resolve("out")));
        assertTrue(e.getMessage().contains("none of its 1 files is usable text"), e.getMessage());
        assertEquals(List.of(), Fixture.files(parent), "neither the corpus nor its temporary folder is left");
        try (var entries = Files.list(parent)) {
            assertEquals(0, entries.count());
        }
    }

    @Test
    void existingOutputIsKeptUnlessItIsACorpusToOverwrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThrows(InvalidInputException.class, () -> Fixture.prepare(Fixture.manifest(), Fixture.options(), out));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));

        Path corpus = tmp.resolve("corpus");
        Fixture.prepare(Fixture.manifest(), Fixture.options(), corpus);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Fixture.prepare(Fixture.manifest(), Fixture.options().withSeed(9), corpus));
        assertTrue(e.getMessage().contains("allow overwriting"), e.getMessage());

        Fixture.prepare(Fixture.manifest(), Fixture.options().withSeed(9).withOverwrite(true), corpus);
        assertEquals(9, PreparedCorpus.open(corpus).summary().seed());
        try (var siblings = Files.list(tmp)) {
            assertEquals(2, siblings.count(), "no old or temporary folder is left beside the corpus");
        }
    }

    private static PreparationResult prepare(CorpusManifest manifest, CorpusPreparer.Options options, Path out,
            PrepareListener listener) {
        try {
            return new CorpusPreparer(options, listener).prepare(manifest, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static LanguageInfo language(PreparationResult result, String id) {
        return result.summary().languages().stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
    }

    private static int occurrences(byte[] haystack, byte[] needle) {
        int count = 0;
        int from = 0;
        while (true) {
            int at = Fixture.indexOf(java.util.Arrays.copyOfRange(haystack, from, haystack.length), needle);
            if (at < 0) {
                return count;
            }
            count++;
            from += at + needle.length;
        }
    }
}
