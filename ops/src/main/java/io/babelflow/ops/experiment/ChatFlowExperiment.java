package io.babelflow.ops.experiment;

import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.corpus.CorpusManifest;
import io.babelflow.trainer.corpus.CorpusPreparer;
import io.babelflow.trainer.corpus.PrepareListener;
import io.babelflow.trainer.corpus.PreparedCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * ChatFlow in miniature: a byte-level model pre-trains on English, Chinese and en-zh parallel text
 * (trained once), then every arm forks from that checkpoint and moves to instruction data: at once
 * ({@code abrupt}: the instruction mixture from the fork on) or gradually ({@code schedule}: the
 * reweighting app's schedule policy, ChatFlow's dynamic sampler, from the pre-training mixture at the
 * fork to the same instruction mixture halfway through the arm). Both arms end on the same mixture.
 */
public final class ChatFlowExperiment {
    public static final String PRIMARY = "en";
    public static final List<String> SOURCES = List.of("en", "zh", "en-zh", "instruct");
    public static final List<String> ARMS = List.of("abrupt", "schedule");
    /** Pre-training: no instructions yet. */
    static final Map<String, Double> PRETRAIN = weights(0.4, 0.4, 0.2, 0.0);
    /** Instruction tuning: mostly instructions, some of each pre-training source. */
    static final Map<String, Double> INSTRUCT = weights(0.1, 0.1, 0.1, 0.7);

    /** Grid size; the model is {@link ExperimentModel#SHAPE}. */
    public record Settings(long pretrainSteps, long armSteps, int seeds, int evalEvery) {
        public static Settings full(int seeds) {
            return new Settings(600, 600, seeds, 20);
        }

        public static Settings quick() {
            return new Settings(30, 30, 1, 10);
        }
    }

    private ChatFlowExperiment() {
    }

    public static Path run(Settings s, Path outDir, Path corpusDir, String command, Consumer<String> out) throws Exception {
        if (s.seeds() < 1) {
            throw new InvalidInputException("--seeds must be at least 1, got " + s.seeds());
        }
        Files.createDirectories(outDir);
        PreparedCorpus corpus = corpus(corpusDir, out);
        List<String> missing = SOURCES.stream().filter(l -> !corpus.languageIds().contains(l)).toList();
        if (!missing.isEmpty()) {
            throw new InvalidInputException("corpus " + corpusDir + " has no " + missing + " (it has "
                    + corpus.languageIds() + "); prepare it with: babelflow corpus prepare --preset zh-en --out " + corpusDir);
        }
        Files.writeString(outDir.resolve("COMMAND.txt"), command + "\n");
        out.accept(String.format("chatflow: pre-training %s for %d steps, then arms %s x %d seeds for %d steps each "
                + "towards %s", PRETRAIN, s.pretrainSteps(), ARMS, s.seeds(), s.armSteps(), INSTRUCT));
        GridRun pretrain = new GridRun("pretrain", 0, outDir.resolve("runs/pretrain"),
                config(s, "pretrain", 1, s.pretrainSteps(), PRETRAIN, "null"), null, 0, s.pretrainSteps());
        List<GridRun> arms = arms(s, outDir, pretrain);
        List<GridRun> grid = new ArrayList<>(List.of(pretrain));
        grid.addAll(arms);
        try (ExperimentRunner runner = new ExperimentRunner(outDir, corpusDir, out)) {
            if (!runner.run(List.of(pretrain), grid) || !runner.run(arms, grid)) {
                return null;
            }
            runner.recordLive(grid);
            return ChatFlowReport.write(outDir, pretrain, arms, command);
        }
    }

    static List<GridRun> arms(Settings s, Path outDir, GridRun pretrain) {
        long end = s.pretrainSteps() + s.armSteps();
        List<GridRun> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (String arm : ARMS) {
                String name = arm + "-seed" + seed;
                String config = arm.equals("abrupt") ? config(s, name, seed, end, INSTRUCT, "null")
                        : config(s, name, seed, end, PRETRAIN, String.format(
                                "{policy: schedule, params: {phases: '%d:%s;%d:%s', every: '5'}}", s.pretrainSteps(),
                                format(PRETRAIN), s.pretrainSteps() + s.armSteps() / 2, format(INSTRUCT)));
                runs.add(new GridRun(arm, seed, outDir.resolve("runs/" + name), config, pretrain.dir(),
                        s.pretrainSteps(), end));
            }
        }
        return runs;
    }

    /** The zh-en preset, prepared into {@code dir} (2 MiB a source) when it is not there yet. */
    static PreparedCorpus corpus(Path dir, Consumer<String> out) throws IOException {
        if (!Files.exists(dir.resolve(PreparedCorpus.SUMMARY))) {
            out.accept("preparing corpus 'zh-en' in " + dir + " ...");
            var result = new CorpusPreparer(CorpusPreparer.Options.defaults().withMaxBytesPerLanguage(2L << 20),
                    new PrepareListener() {
                        @Override
                        public void sourceMissing(io.babelflow.trainer.corpus.MissingSource missing) {
                            out.accept("  (not installed: " + missing.languageId() + " - " + missing.installHint() + ")");
                        }
                    }).prepare(CorpusManifest.preset("zh-en"), dir);
            out.accept(result.table());
        }
        return PreparedCorpus.open(dir);
    }

    static String config(Settings s, String name, long seed, long steps, Map<String, Double> initial, String feedback) {
        String languages = String.format("""
                  - {id: en, role: PRIMARY, weight: %s}
                  - {id: zh, role: NEW, weight: %s}
                  - {id: en-zh, role: PARALLEL, weight: %s}
                  - {id: instruct, role: INSTRUCTION, weight: %s}
                """, initial.get("en"), initial.get("zh"), initial.get("en-zh"), initial.get("instruct"));
        return ExperimentModel.config("babelflow experiment chatflow", "cf-" + name, seed, steps,
                s.pretrainSteps() + s.armSteps(), languages, s.evalEvery(), feedback);
    }

    private static Map<String, Double> weights(double en, double zh, double parallel, double instruct) {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("en", en);
        w.put("zh", zh);
        w.put("en-zh", parallel);
        w.put("instruct", instruct);
        return w;
    }

    private static String format(Map<String, Double> w) {
        return w.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
