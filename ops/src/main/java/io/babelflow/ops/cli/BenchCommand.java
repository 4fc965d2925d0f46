package io.babelflow.ops.cli;

import io.babelflow.ops.bench.ProducerBenchmark;
import io.babelflow.ops.kafka.EmbeddedKafka;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.schemas.ClientConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks whose figures go to docs/performance.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures.",
        subcommands = {BenchCommand.Producer.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where a benchmark's broker comes from. */
    static final class BrokerChoice {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
                description = "Measure against this cluster (default: start an embedded broker for the run).")
        String bootstrapServers;

        AutoCloseable start(java.util.function.Consumer<ClientConfig> use) throws Exception {
            if (bootstrapServers != null) {
                use.accept(ClientConfig.of(bootstrapServers));
                return () -> { };
            }
            EmbeddedKafka kafka = EmbeddedKafka.start();
            use.accept(ClientConfig.of(kafka.bootstrapServers()));
            return kafka;
        }
    }

    @Command(name = "producer", mixinStandardHelpOptions = true,
            description = "Load generator MB/s against Kafka's ProducerPerformance, same record size and settings.")
    static final class Producer implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        BrokerChoice broker = new BrokerChoice();

        @Option(names = "--layers", defaultValue = "32") int layers;
        @Option(names = "--neurons", defaultValue = "11008") int neurons;
        @Option(names = "--languages", defaultValue = "8") int languages;
        @Option(names = "--ranks", defaultValue = "1") int ranks;
        @Option(names = "--steps", defaultValue = "10") long steps;
        @Option(names = "--stats-every", defaultValue = "1") int statsEvery;
        @Option(names = "--rounds", defaultValue = "2") int rounds;

        @Override
        public Integer call() throws Exception {
            LoadShape shape = new LoadShape("bench", layers, neurons, languages, ranks, 0, steps, statsEvery, 1);
            ClientConfig[] client = new ClientConfig[1];
            try (AutoCloseable ignored = broker.start(c -> client[0] = c)) {
                var rounds = ProducerBenchmark.run(client[0], shape, this.rounds, System.out::println);
                double lg = rounds.stream().mapToDouble(ProducerBenchmark.Round::loadgenMBps).average().orElse(0);
                double pp = rounds.stream().mapToDouble(ProducerBenchmark.Round::producerPerformanceMBps).average()
                        .orElse(0);
                System.out.printf("mean over %d rounds: loadgen %.1f MB/s, ProducerPerformance %.1f MB/s, ratio %.2f%n",
                        rounds.size(), lg, pp, lg / pp);
            }
            return 0;
        }
    }
}
