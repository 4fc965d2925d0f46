package io.babelflow.ops.cli;

import io.babelflow.ops.demo.Demo;
import io.babelflow.streams.reweighting.Policies;
import io.babelflow.schemas.InvalidInputException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The main job: the whole closed loop on one machine. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole platform, closed loop, on this machine: an embedded Kafka broker, the",
                "specialization and reweighting Streams apps, and a small byte-level model that learns Python and",
                "then new languages (real source code), steered live by a reweighting policy. Prints the training,",
                "the mixture updates, the language-specific neurons per window and the Babel Tower stages; writes",
                "loss, mixture and neuron plots into the run folder."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", defaultValue = Demo.CONFIG,
            description = "The demo's run config (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--steps", description = "Training steps (default: the config's run.steps, 300 in demo.yaml; "
            + "its schedule's phases stay at the steps the config names).")
    Long steps;

    @Option(names = "--policy", completionCandidates = PolicyNames.class,
            description = "Reweighting policy with its default parameters instead of the config's (schedule: new "
                    + "languages join gradually); one of: ${COMPLETION-CANDIDATES}.")
    String policy;

    @Option(names = "--corpus", defaultValue = "corpus/code",
            description = "Prepared corpus; prepared from the 'code' preset when missing (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "Run folder (default: runs/demo-<time>).")
    Path out;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Use this Kafka cluster instead of starting an embedded broker.")
    String bootstrapServers;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep the embedded broker's data here.")
    Path dataDir;

    /** The policy registry's names, for the help text. */
    static final class PolicyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Policies.names().iterator();
        }
    }

    @Option(names = "--port", defaultValue = "0",
            description = "Port of the page and /metrics on 127.0.0.1 (default: any free port; 7080 is the one "
                    + "ops/prometheus/prometheus.yml scrapes).")
    int port;

    @Override
    public Integer call() throws Exception {
        Path runDir = out != null ? out
                : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        java.nio.file.Files.createDirectories(runDir);
        // Kafka's and Kafka Streams' chatter goes to the run folder (ops log4j2.xml): the console keeps BabelFlow's lines
        System.setProperty("babelflow.log.file", runDir.toAbsolutePath().resolve("kafka.log").toString());
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port " + port + " is not a TCP port");
        }
        Demo.run(new Demo.Settings(inCheckout(config), corpus, runDir, steps, policy, bootstrapServers, dataDir, port), System.out::println);
        return 0;
    }

    /**
     * A relative config missing here is looked up in the checkout the launcher runs from (it sets
     * {@code babelflow.home}), so {@code /path/to/babelflow demo} works from any folder.
     */
    static Path inCheckout(Path file) {
        String home = System.getProperty("babelflow.home");
        if (java.nio.file.Files.exists(file) || file.isAbsolute() || home == null) {
            return file;
        }
        Path there = Path.of(home).resolve(file);
        return java.nio.file.Files.exists(there) ? there : file;
    }
}
