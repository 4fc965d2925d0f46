package io.babelflow.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.reweighting.PolicyFactory;
import io.babelflow.streams.reweighting.RunLanguage;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.trainer.corpus.CorpusManifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The example configs span modules: the trainer reads them, their languages come from a corpus
 * preset, and their feedback section is built by the reweighting app. A typo in any of these would
 * otherwise surface only as a dead-lettered RunStarted or a trainer refusing the corpus.
 */
class ShippedConfigsTest {
    private static final Path CONFIGS = Path.of("..", "trainer", "configs");
    private static final Map<String, String> PRESET = Map.of("tiny.yaml", "code", "babel-tower.yaml", "code",
            "chatflow.yaml", "zh-en", "demo.yaml", "code", "quickstart.yaml", "code");

    @Test
    void everyFileInTheConfigFolderIsCovered() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(CONFIGS)) {
            assertEquals(PRESET.keySet(), files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void everyShippedConfigIsValidItsLanguagesComeFromItsPresetAndItsPolicyBuilds() {
        for (var entry : PRESET.entrySet()) {
            RunConfig config = RunConfig.load(CONFIGS.resolve(entry.getKey())).validate(entry.getKey());
            Set<String> presetLanguages = CorpusManifest.preset(entry.getValue()).languages().stream()
                    .map(CorpusManifest.Language::id).collect(Collectors.toSet());
            assertTrue(presetLanguages.containsAll(config.languageIds()), entry.getKey() + " names languages "
                    + config.languageIds() + " not all in preset " + entry.getValue() + " " + presetLanguages);
            if (config.feedback() != null) {
                List<RunLanguage> languages = config.languages().stream()
                        .map(l -> new RunLanguage(l.id(), l.role(), l.weight())).toList();
                var controller = PolicyFactory.controller(config.feedback().policy(), config.feedback().params(),
                        languages);
                assertEquals(0, controller.version(), entry.getKey());
            }
        }
    }
}
