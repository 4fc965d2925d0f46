package io.babelflow.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusManifestTest {
    @TempDir
    Path tmp;

    @Test
    void presetsNameAPrimaryANewLanguageAndAPackageForEverySource() {
        for (String name : CorpusManifest.PRESETS) {
            CorpusManifest preset = CorpusManifest.preset(name);
            assertEquals(name, preset.name());
            assertEquals(1, preset.languages().stream().filter(l -> l.role() == LanguageRole.PRIMARY).count(), name);
            assertTrue(preset.languages().stream().anyMatch(l -> l.role() == LanguageRole.NEW), name);
            for (CorpusManifest.Language l : preset.languages()) {
                assertTrue(l.licence() != null && !l.licence().isBlank(), l.id());
                for (CorpusManifest.Source s : l.sources()) {
                    assertTrue(preset.root(s).isAbsolute(), s.root());
                    assertTrue(s.debianPackage() != null, "a preset source names its package: " + s.root());
                }
            }
        }
        assertEquals(List.of("python", "cpp", "go", "rust", "ruby", "perl", "java"),
                CorpusManifest.preset("code").languages().stream().map(CorpusManifest.Language::id).toList());
        assertEquals(List.of(LanguageRole.PRIMARY, LanguageRole.NEW, LanguageRole.PARALLEL, LanguageRole.INSTRUCTION),
                CorpusManifest.preset("zh-en").languages().stream().map(CorpusManifest.Language::role).toList());
    }

    @Test
    void unknownPresetListsTheKnownOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CorpusManifest.preset("klingon"));
        assertTrue(e.getMessage().contains("[code, zh-en]"), e.getMessage());
    }

    @Test
    void relativeRootsResolveAgainstTheManifestFolder() throws IOException {
        CorpusManifest m = Fixture.manifest(tmp, """
                languages:
                  - {id: python, role: primary, sources: [{root: src/py}]}
                """);
        CorpusManifest.Source source = m.languages().get(0).sources().get(0);
        assertEquals(tmp.toAbsolutePath().resolve("src/py"), m.root(source));
        assertEquals(List.of("**"), source.include());
        assertEquals(SourceFormat.TEXT, source.format());
    }

    @Test
    void invalidManifestsAreInvalidInput() throws IOException {
        assertThrows(InvalidInputException.class, () -> CorpusManifest.load(tmp.resolve("absent.yaml")));
        for (String yaml : List.of(
                "languages: []",
                "languages: [{id: python, role: boss, sources: [{root: a}]}]",
                "languages: [{id: python, sources: [{root: a}]}]",
                "languages: [{id: Py/thon, role: primary, sources: [{root: a}]}]",
                "languages: [{id: python, role: primary, sources: []}]",
                "languages: [{id: python, role: primary, sources: [{root: a, formt: text}]}]",
                "languages: [{id: go, role: new, sources: [{root: a}]}, {id: go, role: new, sources: [{root: b}]}]",
                "languages: [{id: faq, role: instruction, sources: [{root: a, format: faq-instructions}]}]")) {
            assertThrows(InvalidInputException.class, () -> Fixture.manifest(tmp, yaml), yaml);
        }
    }
}
