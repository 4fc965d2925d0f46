package io.babelflow.trainer.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbePromptsTest {
    @Test
    void loadsThePairFilesOfARunFromAFolder() throws Exception {
        Path dir = Path.of(getClass().getResource("/probes/python-go.tsv").toURI()).getParent();
        Map<String, List<ProbePrompt>> prompts = ProbePrompts.forRun("python", List.of("go", "cpp"), dir);
        assertEquals(List.of("go"), List.copyOf(prompts.keySet()), "cpp has no file, so no probe");
        assertEquals(5, prompts.get("go").size());
        assertEquals("func main() {\n\tfmt.", prompts.get("go").get(0).prompt());
    }
}
