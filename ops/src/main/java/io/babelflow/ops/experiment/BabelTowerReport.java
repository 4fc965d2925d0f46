package io.babelflow.ops.experiment;

import io.babelflow.events.StageChange;
import io.babelflow.ops.plot.LineChart;
import io.babelflow.ops.train.RunPlots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The Babel Tower report folder: summary.md with the tables (final held-out loss per new language and
 * arm, mean and spread over seeds; tokens-to-target against the static arm's final loss), and PNGs:
 * held-out loss per language by arm, and each arm's live view (working-language share per layer,
 * specific neurons, transfer ratio) with its stage changes marked.
 */
final class BabelTowerReport {
    private BabelTowerReport() {
    }

    static Path write(Path outDir, GridRun primary, List<GridRun> arms, List<String> newLanguages, String command,
            long end) throws IOException {
        Path plots = Files.createDirectories(outDir.resolve("plots"));
        Map<String, List<GridRun>> byArm = new LinkedHashMap<>();
        arms.forEach(r -> byArm.computeIfAbsent(r.arm(), a -> new ArrayList<>()).add(r));
        Map<GridRun, RunHistory> history = new LinkedHashMap<>();
        arms.forEach(r -> history.put(r, RunHistory.read(r.dir(), BabelTowerExperiment.PRIMARY)));
        RunHistory first = RunHistory.read(primary.dir(), BabelTowerExperiment.PRIMARY);
        RunPlots.write(primary.dir());
        arms.forEach(r -> RunPlots.write(r.dir()));

        StringBuilder md = new StringBuilder("# Babel Tower in miniature\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append(String.format("Python alone for steps 0–%d (one run), then %d arms x %d seeds forked from its "
                        + "checkpoint, each to step %d (equal token budget). Configs: `runs/configs/`; runs: `runs/`.%n%n",
                primary.steps() - 1, byArm.size(), byArm.values().iterator().next().size(), end - 1));
        md.append(String.format("Primary-phase end: held-out loss %s.%n%n", finals(first)));

        md.append("## Final held-out loss per new language (nats/byte; mean ± sd over seeds, min–max)\n\n");
        md.append("| arm |").append(String.join(" |", newLanguages.stream().map(l -> " " + l).toList()))
                .append(" | ").append(BabelTowerExperiment.PRIMARY).append(" |\n|---|");
        md.append("---|".repeat(newLanguages.size() + 1)).append('\n');
        Map<String, Map<String, SeedStats.Summary>> finals = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(newLanguages);
        all.add(BabelTowerExperiment.PRIMARY);
        for (var e : byArm.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (String l : all) {
                List<Double> v = e.getValue().stream().map(r -> history.get(r).finalLoss(l)).filter(x -> x != null).toList();
                SeedStats.Summary s = SeedStats.summarize(v);
                finals.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(l, s);
                md.append(' ').append(s.format()).append(" |");
            }
            md.append('\n');
        }
        Map<String, SeedStats.Summary> staticFinals = finals.get("static");
        if (staticFinals != null) {
            md.append("\nDifferences from the static arm smaller than the spread over seeds (sd): ");
            List<String> within = new ArrayList<>();
            finals.forEach((arm, m) -> m.forEach((l, s) -> {
                if (!arm.equals("static") && SeedStats.withinSpread(s, staticFinals.get(l))) {
                    within.add(arm + "/" + l);
                }
            }));
            boolean oneSeed = byArm.values().stream().anyMatch(runs -> runs.size() < 2);
            md.append(oneSeed ? "cannot be judged: an arm has a single seed, so no spread"
                    : within.isEmpty() ? "none" : String.join(", ", within)).append(".\n");

            md.append("\n## Tokens to target (training tokens after the fork until the held-out loss first reaches "
                    + "the static arm's mean final loss; read at eval points)\n\n| arm |");
            md.append(String.join(" |", newLanguages.stream().map(l -> " " + l + String.format(" (≤ %.3f)",
                    staticFinals.get(l).mean())).toList())).append(" |\n|---|").append("---|".repeat(newLanguages.size()))
                    .append('\n');
            for (var e : byArm.entrySet()) {
                md.append("| ").append(e.getKey()).append(" |");
                for (String l : newLanguages) {
                    double target = staticFinals.get(l).mean();
                    List<Double> reached = new ArrayList<>();
                    for (GridRun r : e.getValue()) {
                        OptionalLong t = SeedStats.tokensToTarget(history.get(r).curve(l), target);
                        t.ifPresent(x -> reached.add((double) x));
                    }
                    SeedStats.Summary s = SeedStats.summarize(reached);
                    md.append(reached.isEmpty() ? " not reached" : String.format(" %.0f ± %.0f (%d/%d seeds reached)",
                            s.mean(), s.sd(), reached.size(), e.getValue().size())).append(" |");
                }
                md.append('\n');
            }
        }

        md.append("\n## Stage changes (from the specialization app)\n\n| run | language | from → to | step |\n|---|---|---|---|\n");
        for (GridRun r : arms) {
            for (StageChange c : history.get(r).stages()) {
                md.append(String.format("| %s | %s | %s → %s | %d |%n", r.dir().getFileName(), c.getLanguage(),
                        c.getFrom() == null ? "-" : c.getFrom(), c.getTo(), c.getStep()));
            }
        }

        for (String l : all) {
            ForkPlot.heldout(plots.resolve("heldout-" + l + ".png"), l, "python-only (parent)", first, primary.steps(),
                    byArm, history);
        }
        for (GridRun r : arms.stream().filter(r -> r.seed() == 1).toList()) {
            RunHistory h = history.get(r);
            String name = r.arm();
            LineChart share = marked(new LineChart("Working language (" + name + "): share of answer mass on python",
                    "step", "share"), h);
            h.primaryShare().forEach((series, m) -> m.forEach((step, v) -> share.add(series, step, v)));
            share.writePng(plots.resolve("live-" + name + "-working-language.png"), 1000, 560);
            LineChart neurons = marked(new LineChart("Language-specific neurons (" + name + ", held-out LAPE, all layers)",
                    "step", "neurons"), h);
            h.specificNeurons().forEach((l, m) -> m.forEach((step, v) -> neurons.add(l, step, v)));
            neurons.writePng(plots.resolve("live-" + name + "-neurons.png"), 1000, 560);
            LineChart transfer = marked(new LineChart("Transfer ratio (" + name + ", mean over layers)", "step", "ratio"), h);
            h.transfer().forEach((l, m) -> m.forEach((step, v) -> transfer.add(l, step, v)));
            transfer.writePng(plots.resolve("live-" + name + "-transfer.png"), 1000, 560);
        }
        md.append("\n## Plots\n\n");
        try (var s = Files.list(plots)) {
            s.sorted().forEach(p -> md.append("- ![").append(p.getFileName()).append("](plots/").append(p.getFileName())
                    .append(")\n"));
        }
        Path summary = outDir.resolve("summary.md");
        Files.writeString(summary, md);
        return summary;
    }

    /** Marks each step with a stage change once, naming every change there (one label per step stays readable). */
    private static LineChart marked(LineChart chart, RunHistory h) {
        Map<Long, List<String>> byStep = new java.util.TreeMap<>();
        for (StageChange c : h.stages()) {
            byStep.computeIfAbsent(c.getStep(), k -> new ArrayList<>()).add(c.getLanguage() + " " + c.getTo());
        }
        byStep.forEach((step, labels) -> chart.mark(step, String.join(", ", labels)));
        return chart;
    }

    private static String finals(RunHistory h) {
        List<String> parts = new ArrayList<>();
        h.heldout().forEach((l, m) -> parts.add(String.format("%s %.3f", l, m.lastEntry().getValue())));
        return String.join(", ", parts);
    }
}
