package io.babelflow.ops.cli;

import io.babelflow.ops.experiment.BabelTowerExperiment;
import io.babelflow.ops.signals.RecordedStages;
import io.babelflow.ops.signals.StagesReport;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.telemetry.TelemetryFile;
import io.babelflow.streams.specialization.app.SpecializationConfig;
import io.babelflow.streams.specialization.stage.LossTrajectory;
import io.babelflow.streams.specialization.stage.StageThresholds;
import java.nio.file.Files;
import io.babelflow.ops.experiment.ChatFlowExperiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Reruns the studies BabelFlow watches for, in miniature, through the real loop; writes a report folder. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run an experiment grid through the real loop (embedded broker, Streams apps) and write a report.",
        subcommands = {ExperimentCommand.BabelTower.class, ExperimentCommand.ChatFlow.class,
                ExperimentCommand.Stages.class})
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

    @Command(name = "stages", mixinStandardHelpOptions = true,
            description = {"Where the specialization app's stage detector puts a recorded run's new languages: the app's",
                    "analysis (LAPE on HELDOUT statistics, transfer measure, working language, loss trajectory since the",
                    "introduction) replayed offline. Prints the evidence per eval point and the stage changes, the",
                    "standard error of p; writes OUT/stages-<language>.png. Thresholds default to the app's."})
    static final class Stages implements Callable<Integer> {
        private static final StageThresholds D = StageThresholds.DEFAULTS;

        @Parameters(paramLabel = "RUN", description = "Telemetry file, or a run folder holding telemetry.avro.")
        Path run;

        @Option(names = "--out", paramLabel = "DIR", description = "Folder of the plots (default: beside the run file).")
        Path out;

        @Option(names = "--evidence", paramLabel = "FILE", description = "Also write the evidence per eval point as JSON.")
        Path evidence;

        @Option(names = "--transfer-max", defaultValue = "NaN", description = "Transition: transfer measure at most this.")
        double transferMax;

        @Option(names = "--share-min", defaultValue = "NaN", description = "Transition: working-language share at least this.")
        double shareMin;

        @Option(names = "--min-drop", defaultValue = "NaN", description = "Loss trajectory: relative drop before a stall counts.")
        double minDrop;

        @Option(names = "--stall-slope", defaultValue = "NaN", description = "Loss trajectory: stall slope (fraction of α per 1000 steps).")
        double stallSlope;

        @Option(names = "--slope-points", defaultValue = "-1", description = "Loss trajectory: points in its mean and slope.")
        int slopePoints;

        @Override
        public Integer call() {
            Path file = Files.isDirectory(run) ? run.resolve("telemetry.avro") : run;
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("no telemetry file at " + file);
            }
            LossTrajectory.Parameters loss = new LossTrajectory.Parameters(
                    slopePoints > 0 ? slopePoints : D.loss().slopePoints(),
                    Double.isNaN(minDrop) ? D.loss().minDrop() : minDrop,
                    Double.isNaN(stallSlope) ? D.loss().stallSlope() : stallSlope);
            StageThresholds thresholds = new StageThresholds(Double.isNaN(transferMax) ? D.transitionMaxTransferRatio()
                    : transferMax, Double.isNaN(shareMin) ? D.transitionMinShare() : shareMin, D.stableMinJaccard(),
                    D.stableMinShare(), D.stableMaxAbsSlope(), D.consecutive(), loss);
            RecordedStages.Evidence found = RecordedStages.of(TelemetryFile.readAll(file),
                    SpecializationConfig.DEFAULTS.lape());
            System.out.println("run " + found.run().getRunId() + ": " + found.points().size()
                    + " eval points with HELDOUT statistics; " + thresholds);
            Path dir = out != null ? out : file.toAbsolutePath().getParent();
            StagesReport.write(found, thresholds, SpecializationConfig.DEFAULTS.lossSlopePoints(), dir, System.out);
            System.out.println("plots: " + dir.resolve("stages-<language>.png"));
            if (evidence != null) {
                StagesReport.writeEvidence(found, evidence);
                System.out.println("evidence: " + evidence);
            }
            return 0;
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
