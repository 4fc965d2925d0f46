package io.babelflow.ops.python;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Python client's own unit tests (producers/python/tests), so {@code mvn -B verify} stays the one test command. */
class PythonClientTest {
    @Test
    void pythonUnitTestsPass() throws Exception {
        PythonProcess.run(List.of("-m", "unittest", "discover", "-s", "tests", "-t", "."));
    }
}
