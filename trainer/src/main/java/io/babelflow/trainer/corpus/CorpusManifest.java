package io.babelflow.trainer.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a corpus is made of: per language its role, licence and sources (a folder or zip archive with
 * include/exclude globs, a {@link SourceFormat}, and optionally the Debian package that provides it).
 * Written in YAML; the presets ship as resources next to this class. Relative roots are resolved against
 * the manifest's folder.
 * <pre>
 * name: code
 * languages:
 *   - id: python
 *     role: primary
 *     licence: PSF-2.0
 *     sources:
 *       - root: /usr/lib/python3.11
 *         package: libpython3.11-stdlib
 *         include: ["**&#47;*.py"]
 *         exclude: ["test/**"]
 * </pre>
 */
public final class CorpusManifest {
    /** The presets shipped with the trainer, for {@code --preset}. */
    public static final List<String> PRESETS = List.of("code", "zh-en");

    private static final Pattern LANGUAGE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    /** One language of the corpus. */
    public record Language(String id, LanguageRole role, String licence, List<Source> sources) {
    }

    /**
     * Where a language's text comes from. {@code root} is a folder, or a zip archive whose entries are the
     * files; globs match '/'-separated paths relative to it. {@code debianPackage} is the package that
     * provides it: when set, a missing root is reported with an install hint and skipped; when not, a
     * missing root is an error. {@code translation} is the translated counterpart of each matched file,
     * relative to root, for {@link SourceFormat#FAQ_INSTRUCTIONS}.
     */
    public record Source(String root, List<String> include, List<String> exclude, SourceFormat format,
            @JsonProperty("package") String debianPackage, String translation) {
        public Source {
            include = include == null || include.isEmpty() ? List.of("**") : List.copyOf(include);
            exclude = exclude == null ? List.of() : List.copyOf(exclude);
            format = format == null ? SourceFormat.TEXT : format;
        }
    }

    private record Yaml(String name, List<Language> languages) {
    }

    private final String name;
    private final List<Language> languages;
    private final Path baseDir;

    private CorpusManifest(String name, List<Language> languages, Path baseDir) {
        this.name = name;
        this.languages = List.copyOf(languages);
        this.baseDir = baseDir;
    }

    /** A shipped preset; an unknown name is an {@link InvalidInputException} listing the known ones. */
    public static CorpusManifest preset(String name) {
        if (!PRESETS.contains(name)) {
            throw new InvalidInputException("unknown corpus preset '" + name + "'; presets are " + PRESETS);
        }
        String resource = name + ".yaml";
        try (InputStream in = CorpusManifest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("preset manifest " + resource + " is missing from the trainer jar");
            }
            return parse(YAML.readValue(in, Yaml.class), "preset " + name, null);
        } catch (IOException e) {
            throw new IllegalStateException("preset manifest " + resource + " is invalid: " + e.getMessage(), e);
        }
    }

    /** A manifest file; a missing or invalid one is an {@link InvalidInputException}. */
    public static CorpusManifest load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("corpus manifest " + file + " does not exist");
        }
        try {
            Path base = file.toAbsolutePath().getParent();
            return parse(YAML.readValue(file.toFile(), Yaml.class), "manifest " + file, base);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read corpus manifest " + file + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public List<Language> languages() {
        return languages;
    }

    /** The source's root as a path: relative roots are resolved against the manifest's folder. */
    public Path root(Source source) {
        Path root = Path.of(source.root());
        return baseDir == null ? root : baseDir.resolve(root);
    }

    private static CorpusManifest parse(Yaml yaml, String where, Path baseDir) {
        if (yaml == null || yaml.languages() == null || yaml.languages().isEmpty()) {
            throw new InvalidInputException(where + " lists no languages");
        }
        Set<String> ids = new HashSet<>();
        for (Language l : yaml.languages()) {
            if (l.id() == null || !LANGUAGE_ID.matcher(l.id()).matches()) {
                throw new InvalidInputException(where + ": language id '" + l.id()
                        + "' must be lower-case letters, digits, '-' or '_' (it names a folder)");
            }
            if (!ids.add(l.id())) {
                throw new InvalidInputException(where + ": language '" + l.id() + "' is listed twice");
            }
            if (l.role() == null) {
                throw new InvalidInputException(where + ": language '" + l.id()
                        + "' needs a role (primary, new, parallel or instruction)");
            }
            if (l.sources() == null || l.sources().isEmpty()) {
                throw new InvalidInputException(where + ": language '" + l.id() + "' has no sources");
            }
            for (Source s : l.sources()) {
                if (s.root() == null || s.root().isBlank()) {
                    throw new InvalidInputException(where + ": a source of language '" + l.id() + "' has no root");
                }
                if (baseDir == null && !Path.of(s.root()).isAbsolute()) {
                    throw new IllegalStateException(where + ": preset roots must be absolute, not " + s.root());
                }
                if (s.format() == SourceFormat.FAQ_INSTRUCTIONS && s.translation() == null) {
                    throw new InvalidInputException(where + ": the faq-instructions source " + s.root()
                            + " of language '" + l.id() + "' needs a translation file");
                }
            }
        }
        String name = yaml.name() == null || yaml.name().isBlank() ? "custom" : yaml.name();
        return new CorpusManifest(name, yaml.languages(), baseDir);
    }
}
