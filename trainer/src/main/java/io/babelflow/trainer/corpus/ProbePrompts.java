package io.babelflow.trainer.corpus;

import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts for the working-language (logit-lens) probe. Each prompt is a short text in the new language
 * that stops right before a word whose correct continuation differs from its primary-language
 * equivalent, e.g. Go {@code strings.} → {@code ToUpper} where Python says {@code upper}. Reading the
 * intermediate layers' next-byte distribution, mass on the new answer's first byte versus the primary
 * answer's first byte shows which language the model "thinks in"; hence the first bytes must differ.
 *
 * <p>Shipped as {@code probes/<primary>-<new>.tsv}: a header line {@code prompt\tanswer_new\tanswer_primary},
 * then one prompt per line, fields separated by tabs, with {@code \t}, {@code \n} and {@code \\} escapes.
 */
public final class ProbePrompts {
    /** The prompt files shipped with the trainer, as primary-new language pairs. */
    public static final List<String> SHIPPED = List.of("python-go", "python-cpp", "python-rust", "python-ruby",
            "python-java", "python-perl", "en-zh");
    static final String HEADER = "prompt\tanswer_new\tanswer_primary";

    /** One probe prompt; the answers are what should follow it in the new and in the primary language. */
    public record Prompt(String prompt, String answerNew, String answerPrimary) {
    }

    private ProbePrompts() {
    }

    /** The shipped prompts for a language pair; an unknown pair is an {@link InvalidInputException}. */
    public static List<Prompt> load(String primary, String newLanguage) {
        String name = primary + "-" + newLanguage + ".tsv";
        try (InputStream in = ProbePrompts.class.getResourceAsStream("/io/babelflow/trainer/probes/" + name)) {
            if (in == null) {
                throw new InvalidInputException("no probe prompts for primary '" + primary + "' and new language '"
                        + newLanguage + "'; shipped pairs are " + SHIPPED);
            }
            return parse(name, Utf8Text.decode(in.readAllBytes()));
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("probe prompts " + name + " are not UTF-8", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read probe prompts " + name, e);
        }
    }

    /**
     * Parses a prompt file. Every bad line is reported, by number, in one {@link InvalidInputException}:
     * wrong field count, an unknown escape, an empty field, or answers whose first bytes are equal.
     */
    public static List<Prompt> parse(String name, String tsv) {
        String[] lines = tsv.split("\n", -1);
        List<String> problems = new ArrayList<>();
        if (!lines[0].equals(HEADER)) {
            problems.add("line 1: expected the header '" + HEADER.replace("\t", "\\t") + "'");
        }
        List<Prompt> prompts = new ArrayList<>();
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
                Prompt p = new Prompt(unescape(fields[0]), unescape(fields[1]), unescape(fields[2]));
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

    private static String problem(Prompt p) {
        if (p.prompt().isEmpty() || p.answerNew().isEmpty() || p.answerPrimary().isEmpty()) {
            return "a field is empty";
        }
        byte first = p.answerNew().getBytes(StandardCharsets.UTF_8)[0];
        if (first == p.answerPrimary().getBytes(StandardCharsets.UTF_8)[0]) {
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
