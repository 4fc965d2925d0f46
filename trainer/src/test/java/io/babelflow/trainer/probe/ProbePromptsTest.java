package io.babelflow.trainer.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbePromptsTest {

    @Test
    void everyShippedFileLoadsWithAtLeastThirtyDistinguishablePrompts() {
        for (String pair : ProbePrompts.SHIPPED) {
            String[] languages = pair.split("-");
            List<ProbePrompt> prompts = ProbePrompts.load(languages[0], languages[1]);
            assertTrue(prompts.size() >= 30, pair + " has " + prompts.size() + " prompts");
            Set<ProbePrompt> distinct = new HashSet<>(prompts);
            assertEquals(prompts.size(), distinct.size(), pair + " repeats a prompt");
            for (ProbePrompt p : prompts) {
                assertNotEquals(p.answerNew().getBytes(StandardCharsets.UTF_8)[0],
                        p.answerPrimary().getBytes(StandardCharsets.UTF_8)[0], pair + ": " + p);
                assertTrue(!p.prompt().isEmpty(), pair + ": " + p);
            }
        }
    }

    @Test
    void everyPromptFileInResourcesIsListedAsShipped() throws IOException, URISyntaxException {
        Path dir = Path.of(ProbePrompts.class.getResource("/io/babelflow/trainer/probes").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.copyOf(ProbePrompts.SHIPPED),
                    Set.copyOf(files.map(f -> f.getFileName().toString().replace(".tsv", "")).toList()));
        }
    }

    @Test
    void fieldsAreUnescaped() {
        List<ProbePrompt> prompts = ProbePrompts.parse("t.tsv", ProbePrompts.HEADER + "\n"
                + "func f() {\\n\\tfmt.\tPrintln\tprint\n"
                + "\n"
                + "path := \"C:\\\\\" + strings.\tJoin\tjoin\n");
        assertEquals(List.of(new ProbePrompt("func f() {\n\tfmt.", "Println", "print"),
                new ProbePrompt("path := \"C:\\\" + strings.", "Join", "join")), prompts);
    }

    @Test
    void badLinesAreReportedByNumber() {
        String tsv = "prompt\tanswer\n"
                + "ok := \tfalse\tFalse\n"
                + "strings.\tSplit\n"
                + "fmt.\tprintln\tprint\n"
                + "x := \"\\q\"\tnil\tNone\n"
                + "\tnil\tNone\n";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ProbePrompts.parse("bad.tsv", tsv));
        String m = e.getMessage();
        assertTrue(m.contains("bad.tsv"), m);
        assertTrue(m.contains("line 1: expected the header"), m);
        assertTrue(m.contains("line 3: 2 fields, expected 3"), m);
        assertTrue(m.contains("line 4: answers 'println' and 'print' start with the same byte"), m);
        assertTrue(m.contains("line 5: unknown escape \\q"), m);
        assertTrue(m.contains("line 6: a field is empty"), m);
        assertTrue(!m.contains("line 2"), m);
    }

    @Test
    void unknownPairIsInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ProbePrompts.load("python", "cobol"));
        assertTrue(e.getMessage().contains("python-go"), e.getMessage());
    }

    @Test
    void loadsThePairFilesOfARunFromAFolder() throws Exception {
        Path dir = Path.of(getClass().getResource("/probes/python-go.tsv").toURI()).getParent();
        Map<String, List<ProbePrompt>> prompts = ProbePrompts.forRun("python", List.of("go", "cpp"), dir);
        assertEquals(List.of("go"), List.copyOf(prompts.keySet()), "cpp has no file, so no probe");
        assertEquals(5, prompts.get("go").size());
        assertEquals("func main() {\n\tfmt.", prompts.get("go").get(0).prompt());
    }

    @Test
    void aPromptFileThatIsNotUtf8IsInvalidInput(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("python-go.tsv"), (ProbePrompts.HEADER + "\nfmt.\tPrintln\tprint\u00ff\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ProbePrompts.forRun("python", List.of("go"), dir));
        assertTrue(e.getMessage().contains("python-go.tsv are not UTF-8"), e.getMessage());
    }
}
