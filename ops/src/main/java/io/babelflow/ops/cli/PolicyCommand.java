package io.babelflow.ops.cli;

import io.babelflow.ops.plot.LineChart;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.reweighting.backtest.BacktestCsv;
import io.babelflow.streams.reweighting.backtest.BacktestResult;
import io.babelflow.streams.reweighting.backtest.PolicyBacktest;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Offline policy tools. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Reweighting policy tools.",
        subcommands = {PolicyCommand.Backtest.class})
public final class PolicyCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "backtest", mixinStandardHelpOptions = true,
            description = {"Replay a recorded run's telemetry through a policy offline and show the weights it would "
                    + "have set: a cheap comparison before a training run is spent.",
                    "Policies: static, schedule, exp3, excess-loss, babel-tower (parameters: see docs/policies.md)."})
    static final class Backtest implements Callable<Integer> {
        @Parameters(paramLabel = "RUNFILE", description = "Telemetry file, or a run folder holding telemetry.avro.")
        Path runFile;

        @Option(names = "--policy", required = true, description = "Policy name.")
        String policy;

        @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE", description = "Policy parameter (repeatable).")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--png", paramLabel = "FILE", description = "Plot of the weights over steps (default: backtest-<policy>.png beside the run file).")
        Path png;

        @Option(names = "--csv", paramLabel = "FILE", description = "Also write the weights per step as CSV.")
        Path csv;

        @Override
        public Integer call() throws Exception {
            Path file = Files.isDirectory(runFile) ? runFile.resolve("telemetry.avro") : runFile;
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("no telemetry file at " + file);
            }
            BacktestResult result = PolicyBacktest.run(file, policy, params);
            System.out.printf("run %s, policy %s %s: %d steps, %d updates (stages: %s)%n", result.runId(),
                    result.policy(), result.params(), result.series().size(), result.updates().size(),
                    result.stageSource());
            for (BacktestResult.Update u : result.updates()) {
                System.out.printf("  step %6d  v%-3d %s  %s%n", u.atStep(), u.decision().version(),
                        format(u.decision().weights()), u.decision().reason());
            }
            LineChart chart = new LineChart("Backtest: " + policy + " on " + result.runId(), "step", "mixture weight");
            for (BacktestResult.Point p : result.series()) {
                p.weights().forEach((lang, w) -> chart.add(lang + " (" + policy + ")", p.step(), w));
                p.recordedWeights().forEach((lang, w) -> chart.add(lang + " (recorded)", p.step(), w));
            }
            Path out = png != null ? png : file.resolveSibling("backtest-" + policy + ".png");
            chart.writePng(out, 1000, 560);
            System.out.println("plot: " + out);
            if (csv != null) {
                try (Writer w = Files.newBufferedWriter(csv)) {
                    BacktestCsv.write(result, w);
                }
                System.out.println("csv: " + csv);
            }
            return 0;
        }

        private static String format(Map<String, Double> weights) {
            StringBuilder sb = new StringBuilder();
            weights.forEach((k, v) -> sb.append(String.format("%s=%.3f ", k, v)));
            return sb.toString().trim();
        }
    }
}
