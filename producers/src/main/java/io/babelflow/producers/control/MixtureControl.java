package io.babelflow.producers.control;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.schemas.AvroSerde;
import io.babelflow.schemas.ClientConfig;
import io.babelflow.schemas.EventDecodingException;
import io.babelflow.schemas.Topics;
import io.babelflow.schemas.mixture.MixtureWeights;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's side of the control loop: a background consumer of the compacted mixture-control
 * topic that reads, from the beginning (on start and on resume), every MixtureUpdate of its run,
 * validates it ({@link MixtureWeights}) and hands valid ones to the {@link MixtureTarget}. Invalid
 * updates are rejected with a logged reason and counted; the weights in force stay. No consumer
 * group: the control topic is small and compacted, and every trainer process needs all of its run's
 * updates. Reads only committed records, since the reweighting app writes transactionally.
 */
public final class MixtureControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MixtureControl.class);
    private static final AvroSerde<MixtureUpdate> SERDE = AvroSerde.of(MixtureUpdate.class);

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final Consumer<MixtureUpdate> listener;
    private final String runId;
    private final MixtureTarget target;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private volatile String lastRejection;
    private volatile boolean running = true;
    private volatile boolean polling;

    public MixtureControl(ClientConfig client, String runId, MixtureTarget target) {
        this(client, runId, target, update -> { });
    }

    /** As above; {@code applied} hears of every update the target took, on the consumer thread. */
    public MixtureControl(ClientConfig client, String runId, MixtureTarget target, Consumer<MixtureUpdate> applied) {
        this(new KafkaConsumer<>(client.properties(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "babelflow-mixture-control-" + runId)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()), runId, target, applied);
    }

    MixtureControl(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, String runId,
            MixtureTarget target, Consumer<MixtureUpdate> applied) {
        this.consumer = consumer;
        this.runId = runId;
        this.target = target;
        this.listener = applied;
        this.thread = new Thread(this::loop, "babelflow-mixture-control");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.MIXTURE_CONTROL.name(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            polling = true;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    handle(record);
                }
                if (caughtUp.getCount() > 0
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("mixture control stopped; the trainer keeps its current weights", e);
        } finally {
            polling = false;
            caughtUp.countDown();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null || !runId.equals(new String(record.key(), StandardCharsets.UTF_8))) {
            return;
        }
        MixtureUpdate update;
        try {
            update = SERDE.decode(record.value());
        } catch (EventDecodingException e) {
            reject("offset " + record.offset() + ": " + e.getMessage());
            return;
        }
        if (update == null) {
            return; // tombstone
        }
        long current = target.version();
        if (update.getVersion() <= current && caughtUp.getCount() > 0) {
            stale.incrementAndGet(); // an older version met while catching up after a resume
            return;
        }
        Optional<String> problem = !runId.equals(update.getRunId())
                ? Optional.of("record keyed " + runId + " carries runId " + update.getRunId())
                : MixtureWeights.problem(update, target.languages(), current);
        if (problem.isPresent()) {
            reject(problem.get());
            return;
        }
        Optional<String> refused = target.apply(update.getVersion(), update.getWeights());
        if (refused.isPresent()) {
            reject(refused.get());
            return;
        }
        applied.incrementAndGet();
        listener.accept(update);
        LOG.info("mixture version {} from policy {} applied: {} ({})", update.getVersion(), update.getPolicy(),
                update.getWeights(), update.getReason());
    }

    private void reject(String reason) {
        rejected.incrementAndGet();
        lastRejection = reason;
        LOG.warn("mixture update rejected, weights in force kept: {}", reason);
    }

    /** Waits until the updates present at start were read (so a resumed run starts on its latest weights). */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while the consumer polls the control topic: false before it is assigned, and once it stopped. */
    public boolean polling() {
        return polling;
    }

    public long applied() {
        return applied.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Versions not newer than the one in force, skipped while catching up. */
    public long stale() {
        return stale.get();
    }

    public String lastRejection() {
        return lastRejection;
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
    }

    @Override
    public String toString() {
        return "MixtureControl[" + runId + ", applied=" + applied + ", rejected=" + rejected + "]";
    }
}
