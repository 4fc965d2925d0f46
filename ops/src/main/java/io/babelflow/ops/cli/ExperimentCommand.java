package io.babelflow.ops.cli;

import io.babelflow.ops.experiment.BabelTowerExperiment;
import io.babelflow.ops.experiment.ChatFlowExperiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Reruns the studies BabelFlow watches for, in miniature, through the real loop; writes a report folder. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run an experiment grid through the real loop (embedded broker, Streams apps) and write a report.",
        subcommands = {ExperimentCommand.BabelTower.class, ExperimentCommand.ChatFlow.class})
public final class ExperimentCommand {

    @Command(name = "babel-tower", mixinStandardHelpOptions = true,
            description = {"Python alone (trained once), then forks with the new languages: static natural mixture vs",
                    "schedule, exp3, excess-loss and babel-tower, equal token budget. Rerun to continue an interrupted grid.",
                    "Writes OUT/summary.md, OUT/plots/, OUT/runs/<arm>-seed<N>/ and OUT/runs/configs/."})
    static final class BabelTower implements Callable<Integer> {
        @Option(names = "--quick", description = "Reduced grid (2 arms, 1 seed, 40+40 steps) for CI and a first look.")
        boolean quick;

        @Option(names = "--seeds", paramLabel = "N", defaultValue = "3", description = "Seeds per arm (default: ${DEFAULT-VALUE}).")
        int seeds;

        @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: runs/experiments/babel-tower[-quick]).")
        Path out;

        @Option(names = "--corpus", paramLabel = "DIR", defaultValue = "corpus/code",
                description = "Prepared code corpus (default: ${DEFAULT-VALUE}; prepared there when absent).")
        Path corpus;

        @Override
        public Integer call() throws Exception {
            BabelTowerExperiment.Settings settings = quick ? BabelTowerExperiment.Settings.quick()
                    : BabelTowerExperiment.Settings.full(seeds);
            Path dir = out != null ? out : Path.of("runs", "experiments", quick ? "babel-tower-quick" : "babel-tower");
            String command = "babelflow experiment babel-tower" + (quick ? " --quick" : " --seeds " + seeds)
                    + " --out " + dir + " --corpus " + corpus;
            quietLibraries(dir);
            return finish(BabelTowerExperiment.run(settings, dir, corpus, command, System.out::println));
        }
    }

    @Command(name = "chatflow", mixinStandardHelpOptions = true,
            description = {"Pre-training on en, zh and en-zh parallel text (trained once), then forks that move to instruction",
                    "data abruptly or with the schedule policy (ChatFlow's dynamic sampler); reports the loss spike at the",
                    "switch and the final held-out loss per source. Rerun to continue an interrupted grid.",
                    "Writes OUT/summary.md, OUT/plots/, OUT/runs/<arm>-seed<N>/ and OUT/runs/configs/."})
    static final class ChatFlow implements Callable<Integer> {
        @Option(names = "--quick", description = "Reduced grid (1 seed, 30+30 steps) for CI and a first look.")
        boolean quick;

        @Option(names = "--seeds", paramLabel = "N", defaultValue = "3", description = "Seeds per arm (default: ${DEFAULT-VALUE}).")
        int seeds;

        @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: runs/experiments/chatflow[-quick]).")
        Path out;

        @Option(names = "--corpus", paramLabel = "DIR", defaultValue = "corpus/zh-en",
                description = "Prepared zh-en corpus (default: ${DEFAULT-VALUE}; prepared there when absent).")
        Path corpus;

        @Override
        public Integer call() throws Exception {
            ChatFlowExperiment.Settings settings = quick ? ChatFlowExperiment.Settings.quick()
                    : ChatFlowExperiment.Settings.full(seeds);
            Path dir = out != null ? out : Path.of("runs", "experiments", quick ? "chatflow-quick" : "chatflow");
            String command = "babelflow experiment chatflow" + (quick ? " --quick" : " --seeds " + seeds)
                    + " --out " + dir + " --corpus " + corpus;
            quietLibraries(dir);
            return finish(ChatFlowExperiment.run(settings, dir, corpus, command, System.out::println));
        }
    }

    /** Kafka's and Kafka Streams' warnings go to OUT/kafka.log (as the demo's), so the console shows the grid. */
    private static void quietLibraries(Path dir) {
        if (System.getProperty("babelflow.log.file") == null) {
            System.setProperty("babelflow.log.file", dir.resolve("kafka.log").toAbsolutePath().toString());
        }
    }

    private static int finish(Path summary) {
        if (summary == null) {
            System.out.println("grid not finished; rerun the same command to continue");
            return 1;
        }
        System.out.println("report: " + summary);
        return 0;
    }
}
