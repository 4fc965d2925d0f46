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
        // --help would otherwise win over a mistyped command name and exit 0 with the root usage
        cli.setExecutionStrategy(parseResult -> {
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            if (!last.unmatched().isEmpty()) {
                CommandLine where = last.commandSpec().commandLine();
                String what = last.commandSpec().subcommands().isEmpty() ? "unknown argument" : "unknown command";
                where.getErr().println(last.commandSpec().qualifiedName() + ": " + what + " '"
                        + last.unmatched().get(0) + "' (see '" + last.commandSpec().qualifiedName() + " --help')");
                return EXIT_BAD_INPUT;
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            while (cause != null && !(cause instanceof InvalidInputException)) {
                cause = cause.getCause();
            }
            String problem = cause != null ? cause.getMessage() : environmentProblem(e);
            if (problem != null) {
                commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + problem);
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        return cli;
    }

    /**
     * A failure the user fixes outside the program — a port another process holds, a data dir another
     * broker has locked — as one line, or null for a genuine bug (which keeps its stack trace).
     */
    static String environmentProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                String where = t.getMessage();
                for (Throwable outer = e; outer != t; outer = outer.getCause()) {
                    if (outer.getMessage() != null && outer.getMessage().contains("port")) {
                        where = outer.getMessage(); // says which port
                        break;
                    }
                }
                return where + " (another process holds the port: stop it or choose another port)";
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("Failed to acquire lock")) {
                return message.replaceAll("\\s+", " ").trim() + " Stop it or choose another --data-dir.";
            }
        }
        return null;
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
