package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.JobListener;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Stats;
import dev.segue.protocol.message.Submit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code get_stats} against the daemon process: its counters follow what happened (a finished job, a cancelled one, a
 * bad message), its bytes on disk equal the takes and kept state in the data folder, and {@code segue stats} prints
 * them.
 */
class DaemonStatsTest {
    private static final int RATE = 44100;
    @TempDir
    Path dir;
    private DaemonProcess daemon;

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void statsFollowJobsBadMessagesAndTheDataFolder() throws Exception {
        daemon = new DaemonProcess(dir);
        daemon.start("daemon.log");
        try (DaemonClient c = new DaemonClient(daemon.endpoint, Duration.ofSeconds(60))) {
            String prior = c.hello("stats").priors().get(0);
            Stats first = c.stats();
            assertTrue(first.uptimeMs() > 0 && first.rssBytes() > 0 && first.heapUsedBytes() > 0, first.toString());
            assertEquals(0, first.dataJobs(), first.toString());
            assertEquals(0, first.dataBytes(), first.toString());
            assertEquals(0, first.jobsDone() + first.jobsFailed() + first.jobsCancelled(), first.toString());

            String done = c.submit(submit(prior, 0.3, 2, 1)).job();
            assertEquals(2, c.awaitJob(done, JobListener.NONE, Duration.ofSeconds(120)).takes().size());
            String cancelled = c.submit(submit(prior, 16, 1, 2)).job();
            assertEquals(DaemonClient.CancelOutcome.CANCELLED, c.cancel(cancelled));
            try (ZContext zmq = new ZContext(); ZMQ.Socket s = zmq.createSocket(SocketType.DEALER)) {
                s.setReceiveTimeOut(30_000);
                s.setHandshakeIvl(1000); // JeroMQ 0.6.0 can leave a fresh connection before its handshake (DaemonFlowTest)
                s.connect(daemon.endpoint);
                s.send(new byte[] {(byte) 0xc1}); // not msgpack: BAD_MESSAGE
                assertTrue(s.recv() != null, "the bad message was answered");
            }

            Stats after = waitForCancelRecord(c);
            assertEquals(1, after.jobsDone(), after.toString());
            assertEquals(1, after.jobsCancelled(), after.toString());
            assertEquals(0, after.jobsFailed(), after.toString());
            assertEquals(2, after.dataJobs(), after.toString());
            assertEquals(1, after.badMessages(), after.toString());
            assertEquals(0, after.queued() + after.running(), after.toString());
            assertTrue(after.uptimeMs() >= first.uptimeMs(), after.toString());
            assertEquals(takeAndStateBytes(dir.resolve("data")), after.dataBytes(), "the running total is the folder's");
            assertTrue(after.dataBytes() > 0, after.toString());
        }

        Process p = new ProcessBuilder(SeguePart.bridge("stats", "--endpoint", daemon.endpoint, "--raw"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stats.out").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(dir.resolve("stats.out"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("jobs_done\\s+1")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("rss_bytes\\s+[1-9][0-9]*")), out);
    }

    /** The cancel's record is written on the admission thread just after its answer: wait for it. */
    private static Stats waitForCancelRecord(DaemonClient c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Stats s = c.stats();
        while ((s.jobsCancelled() == 0 || s.running() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = c.stats();
        }
        return s;
    }

    private static long takeAndStateBytes(Path data) throws Exception {
        try (Stream<Path> files = Files.walk(data.resolve("jobs"))) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return (n.startsWith("take-") || n.startsWith("state-")) && !n.endsWith(".tmp");
            }).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static Submit submit(String prior, double seconds, int candidates, long seed) {
        float[] prime = new float[2 * RATE];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / RATE) * Math.sin(Math.PI * i / RATE));
        }
        return new Submit(1, new DawContext(RATE, 120, 4, 4, 0, 0.0), new GenerationRequest(prior, "sketch",
                new Length.Seconds(seconds), candidates, Quality.SKETCH, List.of(0.95), null, null, seed, null, null,
                null), Audio.of(1, prime));
    }
}
