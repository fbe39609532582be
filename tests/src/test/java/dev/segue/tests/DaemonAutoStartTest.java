package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client run through the launcher with no daemon answering starts one (detached, through ./segue) and
 * then gets its answer; the started daemon keeps serving the next command without a second start.
 */
class DaemonAutoStartTest {
    @TempDir
    Path dir;

    @Test
    void aClientWithNoDaemonStartsOneAndTheNextClientFindsIt() throws Exception {
        String endpoint = FreePort.loopbackEndpoint();
        try {
            String first = run("first.log", "priors", "--endpoint", endpoint);
            assertTrue(first.contains("started one"), first);
            assertTrue(first.contains("PRIOR") && first.contains("sketch"), first);
            String second = run("second.log", "jobs", "--endpoint", endpoint);
            assertTrue(!second.contains("started one"), "the first daemon is still there:\n" + second);
            assertTrue(second.contains("JOB"), second);
        } finally {
            // The started daemon is detached on purpose; this test stops it by its endpoint.
            new ProcessBuilder("pkill", "-f", "daemon --endpoint " + endpoint).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String run(String log, String... args) throws Exception {
        Path logFile = dir.resolve(log);
        Process p = new ProcessBuilder(SeguePart.bridge(args)).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "client did not finish");
        String out = Files.readString(logFile);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
