package io.babelflow.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.TrainStep;
import io.babelflow.ops.cluster.AppInstance.App;
import io.babelflow.ops.kafka.LocalCluster;
import io.babelflow.ops.kafka.TopicProvisioner;
import io.babelflow.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults on the three-node cluster with two instances of each app (each its own JVM, started by the
 * CLI): a broker SIGKILLed while a 4-rank load generator and a real trainer publish, then one
 * instance of each app SIGKILLed. Counts are exact, by sequence, step, window and version: nothing
 * lost, nothing repeated. Runs with {@code mvn -Pcluster verify} (docs/cluster.md).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFaultsIT.class);

    /** Under target/, not a temporary folder: the nodes' and instances' logs are what explains a failure. */
    static final Path dir = Path.of("target", "cluster-faults-it").toAbsolutePath();
    static LocalCluster cluster;
    static Admin admin;
    static final List<AppInstance> instances = new ArrayList<>();
    static final OutputWatch watch = new OutputWatch();
    static Traffic first;

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(dir);
        long t0 = System.nanoTime();
        cluster = LocalCluster.start(3, dir.resolve("cluster"), 0, Duration.ofSeconds(420)); // 221 s seen at load 40
        LOG.info("3-node cluster up in {} ms", (System.nanoTime() - t0) / 1_000_000);
        TopicProvisioner.ensureTopics(cluster.client(), (short) 3, Map.of("min.insync.replicas", "2"));
        admin = Admin.create(cluster.client().properties());
        for (App app : App.values()) {
            for (String suffix : List.of("a", "b")) {
                instances.add(AppInstance.start(app, app.command.substring(0, 4) + "-" + suffix, cluster, dir));
            }
        }
        for (App app : App.values()) {
            AppInstance.awaitGroup(admin, app, 2, Duration.ofSeconds(600), instances);
        }
        watch.start(cluster.client());
    }

    @AfterAll
    static void stop() {
        watch.close();
        instances.forEach(AppInstance::close);
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aBrokerKilledWhileFourRanksAndATrainerPublishLosesAndRepeatsNothing() throws Exception {
        // the loadgen runs 80 s: the trainer's first step comes some 30 s after its start (the engine loads)
        first = Traffic.start(cluster.client(), dir, "broker-kill", 800, 10.0, 200);
        first.awaitLoadgenSteps(100, watch);
        first.awaitTrainerSteps(20, watch);
        long killed = System.nanoTime();
        cluster.kill(2);
        LOG.info("node 2 SIGKILLed while both publish: loadgen step {}, trainer step {}",
                watch.of(Topics.TRAIN_STEPS, first.loadgenRun).size() / Traffic.RANKS,
                watch.of(Topics.TRAIN_STEPS, first.trainerRun).size());
        Thread.sleep(5_000); // the cluster runs on two nodes for a while: leaders move, ISR shrinks
        cluster.restart(2, Duration.ofSeconds(240));
        LOG.info("node 2 back after {} ms", (System.nanoTime() - killed) / 1_000_000);
        first.await(Duration.ofMinutes(5));
        cluster.awaitInSync(Topics.all().stream().map(t -> t.name()).toList(), Duration.ofSeconds(180));

        first.assertExactlyOnce(watch, Duration.ofMinutes(5));
        assertTrue(watch.arrivalsAfter(Topics.NEURON_SPECIALIZATION.name(), first.loadgenRun, killed) > 0,
                "the apps kept producing windows");
        instances.forEach(i -> assertTrue(i.alive(), i.name + " survived the broker's death: " + i.logTail()));
    }

    @Test
    @Order(2)
    void aQueryToEitherSpecializationInstanceAnswersForEveryRun() throws Exception {
        HttpClient direct = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        List<AppInstance> spec = instances.stream().filter(i -> i.app == App.SPECIALIZATION).toList();
        for (String run : List.of(first.loadgenRun, first.trainerRun)) {
            List<Integer> statuses = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            for (AppInstance i : spec) {
                URI uri = URI.create("http://127.0.0.1:" + i.httpPort + "/runs/" + run + "/summary");
                statuses.add(direct.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode());
                HttpResponse<String> answer = following.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), run + " via " + i.name + ": " + answer.body());
                bodies.add(answer.body());
            }
            assertEquals(List.of(200, 307), statuses.stream().sorted().toList(),
                    "the owner answers, the other instance redirects to it");
            assertEquals(bodies.get(0), bodies.get(1), "the same summary through either instance");
        }
    }

    @Test
    @Order(3)
    void anInstanceOfEachAppKilledIsTakenOverWithoutLossOrRepeat() throws Exception {
        // a longer trainer run, so it is still sending steps (and the app updates) when its owner dies; the loadgen
        // runs 120 s so it is still sending windows when the kill comes after the slow trainer's third update
        Traffic second = Traffic.start(cluster.client(), dir, "instance-kill", 1200, 10.0, 400);
        second.awaitLoadgenSteps(100, watch);
        second.awaitMixtureVersions(3, watch);
        String specOwner = AppInstance.owner(admin, App.SPECIALIZATION, runPartition(Topics.RUNS.name(),
                second.loadgenRun)).orElseThrow();
        String reweightingOwner = AppInstance.owner(admin, App.REWEIGHTING, runPartition(Topics.TRAIN_STEPS.name(),
                second.trainerRun)).orElseThrow();
        long killed = System.nanoTime();
        for (AppInstance i : instances) {
            if (i.name.equals(specOwner) || i.name.equals(reweightingOwner)) {
                i.kill();
                LOG.info("{} SIGKILLed", i.name);
            }
        }
        second.await(Duration.ofMinutes(5));
        second.assertExactlyOnce(watch, Duration.ofMinutes(5));
        for (App app : App.values()) {
            AppInstance.awaitGroup(admin, app, 1, Duration.ofSeconds(60), instances);
        }
        AppInstance survivor = instances.stream().filter(i -> i.app == App.SPECIALIZATION && i.alive())
                .findFirst().orElseThrow();
        assertNotEquals(specOwner, survivor.name);
        assertTrue(watch.arrivalsAfter(Topics.NEURON_SPECIALIZATION.name(), second.loadgenRun, killed) > 0,
                "windows continue after the kill");
        assertTrue(watch.arrivalsAfter(Topics.MIXTURE_CONTROL.name(), second.trainerRun, killed) > 0,
                "mixture updates continue after the kill");
        double windowGap = watch.silenceAfter(Topics.NEURON_SPECIALIZATION.name(), second.loadgenRun, killed) / 1e3;
        double mixtureGap = watch.silenceAfter(Topics.MIXTURE_CONTROL.name(), second.trainerRun, killed) / 1e3;
        LOG.info("TAKEOVER specialization: longest time without a window after the kill {} s; reweighting: without "
                + "a mixture update {} s (session.timeout.ms {})", windowGap, mixtureGap,
                AppInstance.CLIENT_CONFIG.get("session.timeout.ms"));
    }

    private static void deleteRecursively(Path path) throws java.io.IOException {
        if (java.nio.file.Files.exists(path)) {
            try (var paths = java.nio.file.Files.walk(path)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static TopicPartition runPartition(String topic, String runId) {
        int partitions = Topics.byName(topic).partitions();
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(runId.getBytes())) % partitions);
    }

    static String describe(List<NeuronSpecialization> windows) {
        return windows.stream().map(w -> w.getLayer() + "@" + w.getWindowEnd()).collect(Collectors.joining(","));
    }

    static List<Long> versions(List<MixtureUpdate> updates) {
        return updates.stream().map(MixtureUpdate::getVersion).toList();
    }

    static List<Long> steps(List<TrainStep> steps) {
        return steps.stream().map(TrainStep::getStep).toList();
    }
}
