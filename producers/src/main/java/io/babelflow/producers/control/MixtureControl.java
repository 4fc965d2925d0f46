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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
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
 *
 * <p>It never gives up: while the broker or the topic is away it retries with exponential backoff
 * ({@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}), logging each failure, and {@link #polling()} and
 * {@link #lag()} say whether it is reading and how far behind it is (the {@code train} metrics).
 */
public final class MixtureControl implements AutoCloseable {
    static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How often the topic's end offsets are fetched: the lag's freshness, and how soon a lost broker shows. */
    static final Duration END_REFRESH = Duration.ofSeconds(10);
    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(MixtureControl.class);
    private static final AvroSerde<MixtureUpdate> SERDE = AvroSerde.of(MixtureUpdate.class);

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final Consumer<MixtureUpdate> listener;
    private final String runId;
    private final MixtureTarget target;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long waiting;
    private volatile String lastRejection;
    private volatile boolean running = true;
    private volatile boolean polling;
    private volatile long lag = -1;
    /** End offsets at start (what "caught up" means), then refreshed every {@link #END_REFRESH}; null until assigned. */
    private Map<TopicPartition, Long> end;
    private Map<TopicPartition, Long> startEnd;
    private long endFetchedAt;

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
        long backoff = MIN_BACKOFF.toMillis();
        try {
            while (running) {
                try {
                    if (end == null) {
                        assign();
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        handle(record);
                    }
                    track();
                    backoff = MIN_BACKOFF.toMillis();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    polling = false;
                    failures.incrementAndGet();
                    LOG.warn("mixture control cannot read {} ({}); retrying in {} ms, mixture version {} stays in force",
                            Topics.MIXTURE_CONTROL.name(), e.toString(), backoff, target.version());
                    waiting = backoff;
                    boolean closed = closing.await(backoff, TimeUnit.MILLISECONDS);
                    waiting = 0;
                    if (closed) {
                        break;
                    }
                    backoff = Math.min(2 * backoff, MAX_BACKOFF.toMillis());
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            polling = false;
            caughtUp.countDown();
            consumer.close(Duration.ofSeconds(5));
            LOG.info("mixture control of run {} stopped: {} applied, {} rejected", runId, applied, rejected);
        }
    }

    /** Finds the topic's partitions and reads them from the beginning; fails while broker or topic are away. */
    private void assign() {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.MIXTURE_CONTROL.name(), METADATA_WAIT);
        if (infos == null || infos.isEmpty()) {
            throw new UnknownTopicOrPartitionException("topic " + Topics.MIXTURE_CONTROL.name() + " does not exist yet");
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        startEnd = consumer.endOffsets(partitions);
        end = startEnd;
        endFetchedAt = System.nanoTime();
    }

    /** Updates lag, caught-up and polling after a poll; every {@link #END_REFRESH} asks the broker for the end. */
    private void track() {
        if (System.nanoTime() - endFetchedAt > END_REFRESH.toNanos()) {
            end = consumer.endOffsets(end.keySet(), METADATA_WAIT); // throws while the broker is away
            endFetchedAt = System.nanoTime();
        }
        long behind = 0;
        boolean reachedStart = true;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            long position = consumer.position(e.getKey());
            behind += Math.max(0, e.getValue() - position);
            reachedStart &= position >= startEnd.getOrDefault(e.getKey(), 0L);
        }
        lag = behind;
        if (!polling) {
            polling = true;
            LOG.info("mixture control is reading {} for run {} (mixture version {} in force)",
                    Topics.MIXTURE_CONTROL.name(), runId, target.version());
        }
        if (reachedStart && caughtUp.getCount() > 0) {
            caughtUp.countDown(); // after polling is set: a caught-up control is an up one
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

    /**
     * True while the consumer polls the control topic (the trainer's "control consumer up" signal): false
     * before it is first assigned, while it retries after a failure, and once closed.
     */
    public boolean polling() {
        return polling;
    }

    /** Control records not yet read, as of the last end-offset fetch; -1 before the topic was first reached. */
    public long lag() {
        return lag;
    }

    /** How long the consumer is waiting before its next attempt after a failed read; 0 while it reads. */
    public long backoffMillis() {
        return waiting;
    }

    /** Failed attempts to read the control topic so far (each followed by a backoff and a retry). */
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        running = false;
        closing.countDown();
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
