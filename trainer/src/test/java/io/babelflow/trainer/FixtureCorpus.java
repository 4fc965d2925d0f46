package io.babelflow.trainer;

import io.babelflow.events.LanguageRole;
import io.babelflow.trainer.corpus.PreparedCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Writes a small prepared corpus (python, go) from the code files under test resources fixture-corpus/. */
public final class FixtureCorpus {
    public static final int PROBE_WINDOW = 65;

    private FixtureCorpus() {
    }

    public static Path write(Path dir) {
        try {
            List<PreparedCorpus.LanguageInfo> infos = new ArrayList<>();
            for (String id : List.of("python", "go")) {
                byte[] text = resource("/fixture-corpus/" + id + ".txt");
                int split = text.length * 3 / 4;
                byte[] train = Arrays.copyOfRange(text, 0, split);
                byte[] heldout = Arrays.copyOfRange(text, split, text.length);
                int windows = heldout.length / PROBE_WINDOW;
                Path languageDir = Files.createDirectories(dir.resolve(id));
                Files.write(languageDir.resolve("train.bin"), train);
                Files.write(languageDir.resolve("heldout.bin"), heldout);
                Files.write(languageDir.resolve("probe.bin"), Arrays.copyOfRange(heldout, 0, windows * PROBE_WINDOW));
                infos.add(new PreparedCorpus.LanguageInfo(id, id.equals("python") ? LanguageRole.PRIMARY : LanguageRole.NEW,
                        train.length, 1, heldout.length, 1, windows, 0, 0, "test fixture"));
            }
            PreparedCorpus.writeSummary(dir, new PreparedCorpus.Summary("test", 1, PROBE_WINDOW, infos));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped tiny config with the test's probe prompts (test resources probes/python-go.tsv). */
    public static Path tinyConfig(Path dir) {
        try {
            Path promptDir = Path.of(FixtureCorpus.class.getResource("/probes/python-go.tsv").toURI()).getParent();
            String yaml = Files.readString(Path.of("configs/tiny.yaml"))
                    .replace("promptDir: null", "promptDir: " + promptDir);
            return Files.writeString(Files.createDirectories(dir).resolve("tiny.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = FixtureCorpus.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
