package io.babelflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.ops.BabelFlow;
import io.babelflow.trainer.FixtureCorpus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BabelFlowCliTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BabelFlow.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void soakRefusesBadSettingsInOneLineBeforeAnyBrokerStarts() {
        for (String[] args : new String[][] {{"bench", "soak", "--minutes", "0"}, {"bench", "soak", "--ranks", "0"}}) {
            Run r = run(args);
            assertEquals(2, r.exitCode(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(args[2]), r.err());
        }
    }

    @Test
    void unknownOptionExitsTwoNamingIt() {
        Run r = run("broker", "--prot", "9092");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--prot"), r.err());
    }

    @Test
    void badValueExitsTwoNamingIt() {
        Run r = run("broker", "--port", "ninety");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("ninety"), r.err());
    }

    @Test
    void outOfRangePortExitsTwo() {
        Run r = run("broker", "--port", "70000");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("70000"), r.err());
    }

    @Test
    void brokerPortInUseExitsTwoWithOneLineBeforeKafkaStarts() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run r = run("broker", "--port", String.valueOf(taken.getLocalPort()), "--no-topics");
            assertEquals(2, r.exitCode());
            assertEquals("port " + taken.getLocalPort() + " is in use; stop the other broker or pass --port 0",
                    r.err().strip().replaceFirst("^[^:]*: ", ""), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out(), "nothing printed before the error");
        }
    }

    @Test
    void outOfRangeMetricsPortOfAStreamsAppExitsTwo() {
        for (String app : new String[] {"specialization", "reweighting"}) {
            Run r = run("streams", app, "--metrics-port", "70000");
            assertEquals(2, r.exitCode());
            assertTrue(r.err().contains("--metrics-port 70000 is not a TCP port"), r.err());
        }
    }

    @Test
    void malformedBootstrapServersExitTwo() {
        Run r = run("topics", "list", "--bootstrap-servers", "localhost");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("not HOST:PORT"), r.err());
    }

    @Test
    void aForkWithoutItsStepExitsTwo() {
        Run r = run("train", "--config", "trainer/configs/tiny.yaml", "--fork-from", "/nonexistent/run");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--fork-from RUN_DIR and --fork-step N go together"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    }

    @Test
    void missingClientConfigFileExitsTwo() {
        Run r = run("topics", "create", "--client-config", "/nonexistent/client.properties");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("/nonexistent/client.properties"), r.err());
    }

    @Test
    void registryListsWithoutABroker() {
        Run r = run("topics", "list", "--offline");
        assertEquals(0, r.exitCode());
    }

    @Test
    void unknownCommandExitsTwo() {
        assertEquals(2, run("frobnicate").exitCode());
    }

    @Test
    void unknownCommandWithHelpExitsTwoNamingIt() {
        Run r = run("no-such-command", "--help");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("no-such-command"), r.err());
    }

    @Test
    void aFeedbackPolicyTheAppsWouldRejectIsRefusedAtStart(@TempDir Path tmp) throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        Path config = Files.writeString(tmp.resolve("tiny.yaml"), Files.readString(Path.of("..", "trainer", "configs",
                "tiny.yaml")).replace("feedback: null", "feedback: {policy: no-such-policy, params: {}}"));
        Run r = run("train", "--config", config.toString(), "--corpus", corpus.toString(), "--out",
                tmp.resolve("run").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("no-such-policy"), r.err());
        assertFalse(Files.exists(tmp.resolve("run")), "nothing is written for a refused run");

        Files.writeString(config, Files.readString(config).replace("no-such-policy, params: {}",
                "exp3, params: {rewardScale: -4}"));
        r = run("train", "--config", config.toString(), "--corpus", corpus.toString(), "--out",
                tmp.resolve("run").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("rewardScale"), r.err());
    }

    @Test
    void aMetricsPortInUseExitsTwoWithOneLine(@TempDir Path tmp) throws Exception {
        Path corpus = FixtureCorpus.write(tmp.resolve("corpus"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run r = run("train", "--config", Path.of("..", "trainer", "configs", "tiny.yaml").toString(), "--corpus",
                    corpus.toString(), "--out", tmp.resolve("run").toString(), "--metrics-port",
                    String.valueOf(taken.getLocalPort()));
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains(String.valueOf(taken.getLocalPort())), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        }
    }
}
