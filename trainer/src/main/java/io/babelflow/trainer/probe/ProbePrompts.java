package io.babelflow.trainer.probe;

import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads working-language prompt files {@code <primary>-<new>.tsv}: one prompt per line,
 * {@code prompt<TAB>answer_in_new_language<TAB>equivalent_answer_in_primary}, with {@code \t},
 * {@code \n} and {@code \\} escapes inside fields, after a header line; the two answers must start
 * with different bytes or the lens could not tell them apart. Parsing is the corpus module's
 * {@link io.babelflow.trainer.corpus.ProbePrompts#parse}, which reports every bad line by number.
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
                List<ProbePrompt> list = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
                if (!list.isEmpty()) {
                    prompts.put(language, list);
                }
            } catch (IOException e) {
                throw new InvalidInputException("cannot read probe prompts " + name + ": " + e.getMessage(), e);
            }
        }
        return prompts;
    }

    /** Parses with the corpus module's strict parser (every bad line reported by number). */
    static List<ProbePrompt> parse(String text, String source) {
        return io.babelflow.trainer.corpus.ProbePrompts.parse(source, text).stream()
                .map(p -> new ProbePrompt(p.prompt(), p.answerNew(), p.answerPrimary())).toList();
    }
}
