package io.babelflow.ops.bench;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.producers.loadgen.LoadShape;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the NeuronSpecialization topic (read_committed) from its end in a thread of its own,
 * noting when each run's records arrive, and checks each against the generator's layout.
 */
final class NeuronSpecializationWatcher implements AutoCloseable {
    record Arrival(long firstNanos, long lastNanos, int records) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final LoadShape shape;
    private final Map<String, Arrival> arrivals = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    NeuronSpecializationWatcher(ClientConfig client, LoadShape shape) {
        this.shape = shape;
        consumer = new KafkaConsumer<>(client.properties(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.NEURON_SPECIALIZATION.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before any window is sent
        thread = new Thread(this::loop, "specialization-bench-outputs");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    NeuronSpecialization s = Topics.NEURON_SPECIALIZATION.valueSerde().deserializer()
                            .deserialize(r.topic(), r.value());
                    synchronized (this) {
                        Arrival a = arrivals.get(s.getRunId());
                        // only this benchmark's runs have the generator's layout: on a shared broker the output
                        // topic also carries other apps' results for other runs
                        String problem = a == null ? null : check(s);
                        if (problem != null) {
                            problems.add(problem);
                        }
                        if (a != null) {
                            arrivals.put(s.getRunId(), new Arrival(a.records() == 0 ? now : a.firstNanos(), now,
                                    a.records() + 1));
                        }
                        notifyAll();
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException closing) {
            // close() woke the poll
        } catch (RuntimeException e) {
            failure = e;
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** The generator's layout: 1% blocks, one per language, then one for the primary and the first new one. */
    private String check(NeuronSpecialization s) {
        String where = s.getRunId() + " window " + s.getWindowEnd() + " layer " + s.getLayer();
        if (!s.getComplete() || !s.getMissingRanks().isEmpty()) {
            return where + " incomplete, missing ranks " + s.getMissingRanks();
        }
        int block = Math.max(1, shape.neurons() / 100);
        List<String> languages = shape.languageIds();
        for (var e : s.getSpecificNeurons().entrySet()) {
            int language = languages.indexOf(e.getKey());
            for (int id : e.getValue()) {
                int owner = id / block;
                boolean ok = owner == language || owner == languages.size() && language <= 1;
                if (!ok) {
                    return where + ": neuron " + id + " assigned to " + e.getKey() + " is not in its block";
                }
            }
        }
        return null;
    }

    synchronized void expect(String runId) {
        arrivals.put(runId, new Arrival(0, 0, 0));
    }

    synchronized Arrival await(String runId, int records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrivals.get(runId).records() < records) {
            if (failure != null) {
                throw new IllegalStateException("output reader failed", failure);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(runId + ": " + arrivals.get(runId).records() + " of " + records
                        + " NeuronSpecialization records within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("wrong outputs: " + problems.subList(0, Math.min(5, problems.size())));
        }
        return arrivals.get(runId);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
