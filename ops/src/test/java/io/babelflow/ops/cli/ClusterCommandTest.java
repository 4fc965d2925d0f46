package io.babelflow.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.ops.BabelFlow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to {@code babelflow cluster}: one line naming the problem, exit 2, and no node started. */
class ClusterCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = BabelFlow.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), err.toString());
    }

    @Test
    void missingDataDirExitsTwo() {
        Run r = run("cluster");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--data-dir"), r.err());
    }

    @Test
    void nodeCountOutOfRangeExitsTwo() {
        Run r = run("cluster", "--nodes", "0", "--data-dir", dir.toString());
        assertEquals(2, r.exitCode());
        assertEquals("babelflow cluster: --nodes must be 1 to 5 (every node is a controller voter), got 0",
                r.err().strip());
        assertFalse(Files.exists(dir.resolve("node-1.pid")));
    }

    @Test
    void dataDirThatIsAFileExitsTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Run r = run("cluster", "--data-dir", file.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("exists and is not a folder"), r.err());
    }

    @Test
    void basePortWithoutRoomExitsTwo() {
        Run r = run("cluster", "--base-port", "65533", "--data-dir", dir.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--base-port 65533"), r.err());
    }

    @Test
    void aDataDirHoldingAnotherNodeCountExitsTwo() throws Exception {
        Files.writeString(dir.resolve("cluster.properties"), "nodes=1\ncluster.id=x\n");
        Run r = run("cluster", "--nodes", "3", "--data-dir", dir.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("holds a 1-node cluster"), r.err());
    }

    @Test
    void aClusterAlreadyRunningFromTheDataDirExitsTwo() throws Exception {
        Files.writeString(dir.resolve("node-1.pid"), ProcessHandle.current().pid() + "\n"); // a live pid
        Run r = run("cluster", "--data-dir", dir.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("a cluster already runs from"), r.err());
    }
}
