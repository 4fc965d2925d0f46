package io.babelflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.ops.BabelFlow;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
