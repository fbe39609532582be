package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.JobListener;
import dev.segue.bridge.client.JobResult;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lone daemon stays simple: it runs a job without ever loading a class of the NATS client. */
class LoneDaemonWithoutNatsTest {
    @TempDir
    Path dir;

    @Test
    void aLoneDaemonRunsAJobWithoutTheNatsClient() throws Exception {
        String endpoint = FreePort.loopbackEndpoint();
        List<String> cmd = new ArrayList<>(SeguePart.engine("daemon", "--endpoint", endpoint, "--data",
                dir.resolve("data").toString(), "--stand-in-token-ms", "5"));
        cmd.add(1, "-Xlog:class+load=info");
        Path log = dir.resolve("daemon.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(log).contains("listening on " + endpoint)) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "daemon did not start:\n" + Files.readString(log));
                Thread.sleep(100);
            }
            try (DaemonClient c = new DaemonClient(endpoint, Duration.ofSeconds(20))) {
                Submit s = new Submit(1, new DawContext(44100, 120, 4, 4, 0, 0.0), new GenerationRequest("stand-in",
                        "sketch", new Length.Seconds(0.5), 1, Quality.SKETCH, List.of(1.0), null, null, 3, null, null,
                        null), Audio.of(1, new float[44100]));
                JobResult r = c.awaitJob(c.submit(s).job(), JobListener.NONE, Duration.ofSeconds(60));
                assertEquals(22050, r.takes().get(0).frames());
            }
            String classes = Files.readString(log);
            assertTrue(classes.contains("dev.segue.engine.server.Daemon"), "the class log is on");
            assertFalse(classes.contains("io.nats."), "the lone daemon loaded a NATS class");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
