package io.babelflow.trainer.probe;

import io.babelflow.schemas.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads working-language prompt files {@code <primary>-<new>.tsv}: one prompt per line,
 * {@code prompt<TAB>answer_in_new_language<TAB>equivalent_answer_in_primary}, with {@code \t},
 * {@code \n} and {@code \\} escapes inside fields (other backslashes are kept as written). Blank
 * lines, lines starting with {@code #} and a header line starting with {@code prompt<TAB>} are
 * skipped; so are prompts whose two answers start with the same byte (the lens could not tell them
 * apart), with a warning.
 */
public final class ProbePrompts {
    /** Where the shipped prompt files live on the classpath. */
    public static final String RESOURCE_DIR = "/io/babelflow/trainer/probes/";
    private static final Logger LOG = LoggerFactory.getLogger(ProbePrompts.class);

    private ProbePrompts() {
    }

    public static String fileName(String primary, String newLanguage) {
        return primary + "-" + newLanguage + ".tsv";
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
            try (InputStream in = promptDir != null
                    ? (Files.isRegularFile(promptDir.resolve(name)) ? Files.newInputStream(promptDir.resolve(name)) : null)
                    : ProbePrompts.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    LOG.info("no working-language prompts {} for {}; its logit lens is off", name, language);
                    continue;
                }
                List<ProbePrompt> list = parse(new InputStreamReader(in, StandardCharsets.UTF_8), name);
                if (!list.isEmpty()) {
                    prompts.put(language, list);
                }
            } catch (IOException e) {
                throw new InvalidInputException("cannot read probe prompts " + name + ": " + e.getMessage(), e);
            }
        }
        return prompts;
    }

    public static List<ProbePrompt> parse(Reader reader, String source) throws IOException {
        List<ProbePrompt> prompts = new ArrayList<>();
        BufferedReader in = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#") || (number == 1 && line.startsWith("prompt\t"))) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length != 3) {
                throw new InvalidInputException(source + ":" + number + ": expected 3 tab-separated fields "
                        + "(prompt, answer in the new language, equivalent answer in the primary), found " + fields.length);
            }
            ProbePrompt prompt = new ProbePrompt(unescape(fields[0]), unescape(fields[1]), unescape(fields[2]));
            if (prompt.prompt().isEmpty() || prompt.answer().isEmpty() || prompt.primaryAnswer().isEmpty()) {
                throw new InvalidInputException(source + ":" + number + ": prompt and answers must not be empty");
            }
            if (prompt.answerFirstByte() == prompt.primaryAnswerFirstByte()) {
                LOG.warn("{}:{}: answers '{}' and '{}' start with the same byte; prompt skipped", source, number,
                        prompt.answer(), prompt.primaryAnswer());
                continue;
            }
            prompts.add(prompt);
        }
        return prompts;
    }

    static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char next = field.charAt(i + 1);
                switch (next) {
                    case 't' -> { sb.append('\t'); i++; continue; }
                    case 'n' -> { sb.append('\n'); i++; continue; }
                    case '\\' -> { sb.append('\\'); i++; continue; }
                    default -> { }
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
