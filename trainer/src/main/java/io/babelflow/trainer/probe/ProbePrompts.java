package io.babelflow.trainer.probe;

import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.corpus.Utf8Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prompts for the working-language (logit-lens) probe. Each prompt is a short text in the new language
 * that stops right before a word whose correct continuation differs from its primary-language
 * equivalent, e.g. Go {@code strings.} → {@code ToUpper} where Python says {@code upper}. Reading the
 * intermediate layers' next-byte distribution, mass on the new answer's first byte versus the primary
 * answer's first byte shows which language the model "thinks in"; hence the first bytes must differ.
 *
 * <p>Files are {@code <primary>-<new>.tsv} (shipped on the classpath, or in a run's prompt folder): a
 * header line {@code prompt\tanswer_new\tanswer_primary}, then one prompt per line, fields separated
 * by tabs, with {@code \t}, {@code \n} and {@code \\} escapes. They are decoded as strict UTF-8.
 */
public final class ProbePrompts {
    /** The prompt files shipped with the trainer, as primary-new language pairs. */
    public static final List<String> SHIPPED = List.of("python-go", "python-cpp", "python-rust", "python-ruby",
            "python-java", "python-perl", "en-zh");
    /** Where the shipped prompt files live on the classpath. */
    public static final String RESOURCE_DIR = "/io/babelflow/trainer/probes/";
    static final String HEADER = "prompt\tanswer_new\tanswer_primary";
    private static final Logger LOG = LoggerFactory.getLogger(ProbePrompts.class);

    private ProbePrompts() {
    }

    public static String fileName(String primary, String newLanguage) {
        return primary + "-" + newLanguage + ".tsv";
    }

    /** The shipped prompts for a language pair; an unknown pair is an {@link InvalidInputException}. */
    public static List<ProbePrompt> load(String primary, String newLanguage) {
        String name = fileName(primary, newLanguage);
        List<ProbePrompt> prompts = read(name, null);
        if (prompts == null) {
            throw new InvalidInputException("no probe prompts for primary '" + primary + "' and new language '"
                    + newLanguage + "'; shipped pairs are " + SHIPPED);
        }
        return prompts;
    }

    /**
     * Prompts per new language: from {@code promptDir} when given, else from the classpath. A new
     * language without a file gets no working-language probe.
     */
    public static Map<String, List<ProbePrompt>> forRun(String primary, List<String> newLanguages, Path promptDir) {
        if (promptDir != null && !Files.isDirectory(promptDir)) {
            throw new InvalidInputException("probe prompt folder " + promptDir + " does not exist");
        }
        Map<String, List<ProbePrompt>> prompts = new LinkedHashMap<>();
        for (String language : newLanguages) {
            String name = fileName(primary, language);
            List<ProbePrompt> list = read(name, promptDir);
            if (list == null) {
                LOG.info("no working-language prompts {} for {}; its logit lens is off", name, language);
            } else if (!list.isEmpty()) {
                prompts.put(language, list);
            }
        }
        return prompts;
    }

    /** The parsed file {@code name} from {@code dir}, or from the classpath when dir is null; null when absent. */
    private static List<ProbePrompt> read(String name, Path dir) {
        try (InputStream in = dir != null
                ? (Files.isRegularFile(dir.resolve(name)) ? Files.newInputStream(dir.resolve(name)) : null)
                : ProbePrompts.class.getResourceAsStream(RESOURCE_DIR + name)) {
            return in == null ? null : parse(name, Utf8Text.decode(in.readAllBytes()));
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("probe prompts " + name + " are not UTF-8", e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read probe prompts " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a prompt file. Every bad line is reported, by number, in one {@link InvalidInputException}:
     * wrong field count, an unknown escape, an empty field, or answers whose first bytes are equal.
     */
    public static List<ProbePrompt> parse(String name, String tsv) {
        String[] lines = tsv.split("\n", -1);
        List<String> problems = new ArrayList<>();
        if (!lines[0].equals(HEADER)) {
            problems.add("line 1: expected the header '" + HEADER.replace("\t", "\\t") + "'");
        }
        List<ProbePrompt> prompts = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] fields = lines[i].split("\t", -1);
            if (fields.length != 3) {
                problems.add("line " + (i + 1) + ": " + fields.length + " fields, expected 3");
                continue;
            }
            try {
                ProbePrompt p = new ProbePrompt(unescape(fields[0]), unescape(fields[1]), unescape(fields[2]));
                String problem = problem(p);
                if (problem == null) {
                    prompts.add(p);
                } else {
                    problems.add("line " + (i + 1) + ": " + problem);
                }
            } catch (IllegalArgumentException e) {
                problems.add("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("probe prompts " + name + " are invalid:\n  "
                    + String.join("\n  ", problems));
        }
        return List.copyOf(prompts);
    }

    private static String problem(ProbePrompt p) {
        if (p.prompt().isEmpty() || p.answerNew().isEmpty() || p.answerPrimary().isEmpty()) {
            return "a field is empty";
        }
        if (!LogitLens.distinguishable(p)) {
            return "answers '" + p.answerNew() + "' and '" + p.answerPrimary()
                    + "' start with the same byte, so the probe cannot tell them apart";
        }
        return null;
    }

    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 == field.length()) {
                throw new IllegalArgumentException("a field ends with a lone backslash");
            }
            char e = field.charAt(++i);
            switch (e) {
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case '\\' -> out.append('\\');
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " (use \\t, \\n or \\\\)");
            }
        }
        return out.toString();
    }
}
