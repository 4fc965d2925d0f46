package io.babelflow.ops.experiment;

import io.babelflow.ops.demo.Demo;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.trainer.corpus.PreparedCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Babel Tower study in miniature: a byte-level model learns Python alone (trained once), then
 * every arm forks from that checkpoint and continues with the new languages at an equal token budget:
 * the static natural mixture, and the schedule, exp3, excess-loss and babel-tower policies.
 */
public final class BabelTowerExperiment {
    public static final String PRIMARY = "python";
    /** New languages, in order of preference; every one the corpus has is used. */
    public static final List<String> NEW_LANGUAGES = List.of("go", "cpp", "rust", "java", "ruby", "perl");
    public static final List<String> ARMS = List.of("static", "schedule", "exp3", "excess-loss", "babel-tower");

    /** Grid size; the model is {@link ExperimentModel#SHAPE}. */
    public record Settings(long primarySteps, long armSteps, int seeds, List<String> arms, int evalEvery) {
        public static Settings full(int seeds) {
            return new Settings(1000, 1000, seeds, ARMS, 50);
        }

        public static Settings quick() {
            return new Settings(40, 40, 1, List.of("static", "babel-tower"), 20);
        }
    }

    private BabelTowerExperiment() {
    }

    public static Path run(Settings s, Path outDir, Path corpusDir, String command, Consumer<String> out) throws Exception {
        if (s.seeds() < 1) {
            throw new InvalidInputException("--seeds must be at least 1, got " + s.seeds());
        }
        Files.createDirectories(outDir);
        PreparedCorpus corpus = Demo.corpus(corpusDir, out);
        List<String> newLanguages = NEW_LANGUAGES.stream().filter(corpus.languageIds()::contains).toList();
        if (!corpus.languageIds().contains(PRIMARY) || newLanguages.isEmpty()) {
            throw new InvalidInputException("corpus " + corpusDir + " needs python and at least one of "
                    + NEW_LANGUAGES + "; it has " + corpus.languageIds());
        }
        Map<String, Double> natural = naturalMixture(corpus, newLanguages);
        Files.writeString(outDir.resolve("COMMAND.txt"), command + "\n");
        out.accept(String.format("babel-tower: python for %d steps, then arms %s x %d seeds for %d steps each with %s; "
                + "natural mixture %s", s.primarySteps(), s.arms(), s.seeds(), s.armSteps(), newLanguages, natural));

        long end = s.primarySteps() + s.armSteps();
        GridRun primary = new GridRun("python-only", 0, outDir.resolve("runs/python-only"),
                config(s, "python-only", 1, s.primarySteps(), newLanguages, primaryOnly(newLanguages), "null"),
                null, 0, s.primarySteps());
        try (ExperimentRunner runner = new ExperimentRunner(outDir, corpusDir, out)) {
            List<GridRun> grid = new ArrayList<>(List.of(primary));
            grid.addAll(arms(s, outDir, newLanguages, natural, primary, Double.NaN));
            if (!runner.run(List.of(primary), grid)) {
                return null;
            }
            // excess-loss asks each new language to reach the primary's held-out loss at the fork
            Double reference = RunHistory.read(primary.dir(), PRIMARY).finalLoss(PRIMARY);
            List<GridRun> arms = arms(s, outDir, newLanguages, natural, primary, reference == null ? 2.0 : reference);
            if (!runner.run(arms, grid)) {
                return null;
            }
            List<GridRun> all = new ArrayList<>(List.of(primary));
            all.addAll(arms);
            runner.recordLive(all);
            return BabelTowerReport.write(outDir, primary, arms, newLanguages, command, end);
        }
    }

    static List<GridRun> arms(Settings s, Path outDir, List<String> newLanguages, Map<String, Double> natural,
            GridRun primary, double reference) {
        List<GridRun> runs = new ArrayList<>();
        long end = s.primarySteps() + s.armSteps();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            for (String arm : s.arms()) {
                String name = arm + "-seed" + seed;
                Map<String, Double> initial = arm.equals("schedule") ? primaryOnly(newLanguages) : natural;
                runs.add(new GridRun(arm, seed, outDir.resolve("runs/" + name),
                        config(s, name, seed, end, newLanguages, initial, feedback(arm, s, natural, newLanguages, reference)),
                        primary.dir(), s.primarySteps(), end));
            }
        }
        return runs;
    }

    static String feedback(String arm, Settings s, Map<String, Double> natural, List<String> newLanguages, double reference) {
        long fork = s.primarySteps();
        return switch (arm) {
            case "static" -> "null";
            // ChatFlow's dynamic sampler: from python alone at the fork to the natural mixture halfway through
            case "schedule" -> String.format("{policy: schedule, params: {phases: '%d:%s;%d:%s', every: '10'}}",
                    fork, weights(primaryOnly(newLanguages)), fork + s.armSteps() / 2, weights(natural));
            case "exp3" -> "{policy: exp3, params: {every: '10'}}";
            case "excess-loss" -> String.format("{policy: excess-loss, params: {reference: '%s', every: '10'}}",
                    weights(referenceLosses(natural.keySet(), reference)));
            case "babel-tower" -> "{policy: babel-tower, params: {reduction: '0.5', primaryFloor: '0.2'}}";
            default -> throw new InvalidInputException("unknown arm " + arm + "; arms are " + ARMS);
        };
    }

    /** Weights proportional to each language's training bytes in the corpus. */
    static Map<String, Double> naturalMixture(PreparedCorpus corpus, List<String> newLanguages) {
        Map<String, Double> bytes = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(List.of(PRIMARY));
        all.addAll(newLanguages);
        all.forEach(l -> bytes.put(l, (double) corpus.train(l).capacity()));
        double sum = bytes.values().stream().mapToDouble(Double::doubleValue).sum();
        bytes.replaceAll((l, b) -> Math.round(b / sum * 1000) / 1000.0);
        return bytes;
    }

    private static Map<String, Double> primaryOnly(List<String> newLanguages) {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put(PRIMARY, 1.0);
        newLanguages.forEach(l -> w.put(l, 0.0));
        return w;
    }

    private static Map<String, Double> referenceLosses(java.util.Set<String> languages, double loss) {
        Map<String, Double> r = new LinkedHashMap<>();
        languages.forEach(l -> r.put(l, Math.round(loss * 1000) / 1000.0));
        return r;
    }

    private static String weights(Map<String, Double> w) {
        return w.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    static String config(Settings s, String name, long seed, long steps, List<String> newLanguages,
            Map<String, Double> initial, String feedback) {
        StringBuilder languages = new StringBuilder(String.format("  - {id: %s, role: PRIMARY, weight: %s}%n",
                PRIMARY, initial.get(PRIMARY)));
        newLanguages.forEach(l -> languages.append(String.format("  - {id: %s, role: NEW, weight: %s}%n", l, initial.get(l))));
        return ExperimentModel.config("babelflow experiment babel-tower", "bt-" + name, seed, steps,
                s.primarySteps() + s.armSteps(), languages.toString(), s.evalEvery(), feedback);
    }
}
