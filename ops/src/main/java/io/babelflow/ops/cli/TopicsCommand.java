package io.babelflow.ops.cli;

import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Creates or lists the topics of the {@link Topics} registry. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create or list the BabelFlow topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class})
public final class TopicsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create every registry topic that does not exist yet.")
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--replication-factor", defaultValue = "-1", paramLabel = "N",
                description = "Replication factor for new topics (default: the broker's default.replication.factor).")
        short replicationFactor;

        @Override
        public Integer call() {
            if (replicationFactor < 1 && replicationFactor != -1) {
                throw new InvalidInputException("--replication-factor must be at least 1, got " + replicationFactor);
            }
            var result = TopicProvisioner.ensureTopics(kafka.clientConfig(), replicationFactor);
            var out = spec.commandLine().getOut();
            result.created().forEach(t -> out.println("created  " + t));
            result.existing().forEach(t -> out.println("exists   " + t));
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the registry topics: name, partitions, cleanup policy, and whether the broker has them.")
    static final class ListTopics implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--offline", description = "Print the registry only; do not contact a broker.")
        boolean offline;

        @Override
        public Integer call() throws Exception {
            Set<String> present = offline ? null : brokerTopics();
            var out = spec.commandLine().getOut();
            out.printf("%-36s %10s  %-8s %-10s %s%n", "topic", "partitions", "cleanup", "on broker", "value");
            for (Topic<?, ?> t : Topics.all()) {
                out.printf("%-36s %10d  %-8s %-10s %s%n", t.name(), t.partitions(), t.cleanupPolicy(),
                        present == null ? "-" : present.contains(t.name()) ? "yes" : "missing",
                        t.valueType().getSimpleName());
            }
            out.flush();
            return 0;
        }

        private Set<String> brokerTopics() throws InterruptedException {
            try (Admin admin = Admin.create(kafka.clientConfig().properties(Map.of("default.api.timeout.ms", 10_000,
                    "request.timeout.ms", 5_000)))) {
                return admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new InvalidInputException("no Kafka broker answered at " + kafka.bootstrapServers
                        + " (start one with 'babelflow broker', or pass --bootstrap-servers)", e);
            }
        }
    }
}
