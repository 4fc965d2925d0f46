package io.babelflow.ops;

import io.babelflow.ops.cli.BenchCommand;
import io.babelflow.ops.cli.BrokerCommand;
import io.babelflow.ops.cli.ClusterCommand;
import io.babelflow.ops.cli.CorpusCommand;
import io.babelflow.ops.cli.DemoCommand;
import io.babelflow.ops.cli.PolicyCommand;
import io.babelflow.ops.cli.StreamsCommand;
import io.babelflow.ops.cli.TrainCommand;
import io.babelflow.ops.cli.LoadgenCommand;
import io.babelflow.ops.cli.PublishCommand;
import io.babelflow.ops.cli.ReplayCommand;
import io.babelflow.ops.cli.ServeCommand;
import io.babelflow.ops.cli.TopicsCommand;
import io.babelflow.schemas.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code babelflow} command: one entry point for every BabelFlow tool. */
@Command(name = "babelflow", mixinStandardHelpOptions = true, versionProvider = BabelFlow.Version.class,
        description = "Live, closed-loop analysis of multilingual language-model pre-training on Apache Kafka.",
        subcommands = {BrokerCommand.class, ClusterCommand.class, TopicsCommand.class, PublishCommand.class,
                ReplayCommand.class, LoadgenCommand.class, CorpusCommand.class, TrainCommand.class, DemoCommand.class,
                StreamsCommand.class, ServeCommand.class, PolicyCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class BabelFlow implements Runnable {
    /** Exit code for bad input: unknown options, bad values, missing files, invalid configs. */
    public static final int EXIT_BAD_INPUT = CommandLine.ExitCode.USAGE;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BabelFlow());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            while (cause != null && !(cause instanceof InvalidInputException)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + cause.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BabelFlow.class.getPackage().getImplementationVersion();
            return new String[] {"babelflow " + (v == null ? "dev" : v)};
        }
    }
}
