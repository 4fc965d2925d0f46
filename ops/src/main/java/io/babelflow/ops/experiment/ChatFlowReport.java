package io.babelflow.ops.experiment;

import io.babelflow.ops.train.RunPlots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ChatFlow report folder: summary.md with the loss spike at the switch to instruction data (height
 * and duration per source, mean and spread over seeds) and the final held-out loss per source, each by
 * arm; PNGs of the held-out loss per source with the arms overlaid on the pre-training run.
 */
final class ChatFlowReport {
    private ChatFlowReport() {
    }

    static Path write(Path outDir, GridRun pretrain, List<GridRun> arms, String command) throws IOException {
        Path plots = Files.createDirectories(outDir.resolve("plots"));
        Map<String, List<GridRun>> byArm = new LinkedHashMap<>();
        arms.forEach(r -> byArm.computeIfAbsent(r.arm(), a -> new ArrayList<>()).add(r));
        Map<GridRun, RunHistory> history = new LinkedHashMap<>();
        arms.forEach(r -> history.put(r, RunHistory.read(r.dir(), ChatFlowExperiment.PRIMARY)));
        RunHistory parent = RunHistory.read(pretrain.dir(), ChatFlowExperiment.PRIMARY);
        RunPlots.write(pretrain.dir());
        arms.forEach(r -> RunPlots.write(r.dir()));
        long fork = pretrain.steps();
        List<String> sources = ChatFlowExperiment.SOURCES;

        StringBuilder md = new StringBuilder("# ChatFlow in miniature\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append(String.format("Pre-training on %s for steps 0–%d (one run), then %d arms x %d seeds forked from its "
                        + "checkpoint to step %d, ending on the instruction mixture %s: `abrupt` switches to it at the fork, "
                        + "`schedule` moves to it linearly by step %d. Model: %s. Configs: `runs/configs/`; runs: `runs/`.%n%n",
                ChatFlowExperiment.PRETRAIN, fork - 1, byArm.size(), byArm.values().iterator().next().size(),
                arms.get(0).steps() - 1, ChatFlowExperiment.INSTRUCT,
                fork + (arms.get(0).steps() - fork) / 2, ExperimentModel.SHAPE));
        Map<String, Double> atSwitch = new LinkedHashMap<>();
        sources.forEach(l -> {
            Double v = parent.finalLoss(l);
            if (v != null) {
                atSwitch.put(l, v);
            }
        });
        md.append("Held-out loss at the switch (the pre-training run's last eval): ");
        md.append(String.join(", ", atSwitch.entrySet().stream().map(e -> String.format("%s %.3f", e.getKey(),
                e.getValue())).toList())).append(".\n\n");

        md.append("## Loss spike at the switch (held-out, nats/byte; mean ± sd over seeds, min–max)\n\n");
        md.append("Height: highest held-out loss after the fork minus the loss at the switch (0: it never rose). "
                + "Duration: steps after the fork until it is back at or below the loss at the switch, read at eval points.\n\n");
        md.append("| arm | source | height | peak step (mean) | duration, steps | not back by the end |\n|---|---|---|---|---|---|\n");
        for (var e : byArm.entrySet()) {
            for (String l : atSwitch.keySet()) {
                List<Double> heights = new ArrayList<>();
                List<Double> peaks = new ArrayList<>();
                List<Double> durations = new ArrayList<>();
                int notBack = 0;
                for (GridRun r : e.getValue()) {
                    TreeMap<Long, Double> after = new TreeMap<>(history.get(r).heldout().getOrDefault(l, new TreeMap<>())
                            .tailMap(fork, true));
                    LossSpike s = LossSpike.measure(atSwitch.get(l), fork, after);
                    heights.add(s.height());
                    peaks.add((double) s.peakStep());
                    if (s.duration().isPresent()) {
                        durations.add((double) s.duration().getAsLong());
                    } else {
                        notBack++;
                    }
                }
                SeedStats.Summary d = SeedStats.summarize(durations);
                md.append(String.format("| %s | %s | %s | %.0f | %s | %d/%d |%n", e.getKey(), l,
                        SeedStats.summarize(heights).format(), SeedStats.summarize(peaks).mean(),
                        durations.isEmpty() ? "-" : String.format("%.0f ± %.0f", d.mean(), d.sd()), notBack,
                        e.getValue().size()));
            }
        }

        md.append("\n## Final held-out loss per source (nats/byte; mean ± sd over seeds, min–max)\n\n| arm |");
        md.append(String.join(" |", sources.stream().map(l -> " " + l).toList())).append(" |\n|---|")
                .append("---|".repeat(sources.size())).append('\n');
        Map<String, Map<String, SeedStats.Summary>> finals = new LinkedHashMap<>();
        for (var e : byArm.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (String l : sources) {
                SeedStats.Summary s = SeedStats.summarize(e.getValue().stream().map(r -> history.get(r).finalLoss(l))
                        .filter(x -> x != null).toList());
                finals.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(l, s);
                md.append(' ').append(s.format()).append(" |");
            }
            md.append('\n');
        }
        Map<String, SeedStats.Summary> abrupt = finals.get("abrupt");
        Map<String, SeedStats.Summary> schedule = finals.get("schedule");
        if (abrupt != null && schedule != null) {
            boolean oneSeed = byArm.values().stream().anyMatch(runs -> runs.size() < 2);
            List<String> within = sources.stream().filter(l -> SeedStats.withinSpread(abrupt.get(l), schedule.get(l))).toList();
            md.append("\nFinal-loss differences between the arms smaller than the spread over seeds (sd): ")
                    .append(oneSeed ? "cannot be judged: an arm has a single seed, so no spread"
                            : within.isEmpty() ? "none" : String.join(", ", within)).append(".\n");
        }

        for (String l : sources) {
            ForkPlot.heldout(plots.resolve("heldout-" + l + ".png"), l, "pre-training (parent)", parent, fork, byArm, history);
        }
        md.append("\n## Plots\n\n");
        try (var s = Files.list(plots)) {
            s.sorted().forEach(p -> md.append("- ![").append(p.getFileName()).append("](plots/").append(p.getFileName())
                    .append(")\n"));
        }
        md.append("\nEach run's own plots (loss, mixture, neurons) are in its folder under `runs/`.\n");
        Path summary = outDir.resolve("summary.md");
        Files.writeString(summary, md);
        return summary;
    }
}
