package dev.segue.bridge.app.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.cache.TakeCache;
import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.fake.CannedDaemon;
import dev.segue.bridge.fake.FakeDaemon;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 40, unit = TimeUnit.SECONDS)
class JobWatcherTest {
    @TempDir
    Path dir;

    /** Every report as a line, in order. */
    private static final class Recorder implements WatchEvents {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        volatile List<CachedTake> takes;

        public void connection(boolean online, String detail) {
            lines.add((online ? "online " : "offline ") + detail);
        }

        public void jobs(List<JobInfo> jobs) {
            lines.add("jobs " + jobs.size());
        }

        public void progress(Progress p) {}

        public void preview(Preview p) {
            lines.add("preview " + p.job() + " " + p.candidate() + " " + p.audio().frames());
        }

        public void takes(String job, List<CachedTake> t) {
            takes = t;
            lines.add("takes " + job + " " + t.size());
        }

        public void takesUnavailable(String job, String reason) {
            lines.add("unavailable " + job + " " + reason);
        }

        public void extended(String job, int candidate, String extension) {
            lines.add("extended " + job + " " + candidate + " " + extension);
        }

        public void extendFailed(String job, int candidate, String reason) {
            lines.add("not extended " + job + " " + candidate + " " + reason);
        }

        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
            }
            throw new AssertionError("no '" + prefix + "' reported");
        }
    }

    @Test
    void aRunningJobIsFollowedSoItsPreviewsStreamInBeforeItsTakes() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(2, 300, 5));
        canned.listRunning = true;
        Recorder events = new Recorder();
        try (FakeDaemon daemon = new FakeDaemon(canned);
             JobWatcher watcher = new JobWatcher(clients(daemon.endpoint()), new TakeCache(dir, 1 << 20, 8), events,
                     Duration.ofMillis(200), 8)) {
            watcher.start();
            assertEquals("preview " + CannedDaemon.JOB + " 1 100", events.await("preview"));
            events.await("takes " + CannedDaemon.JOB + " 2");
            assertTrue(daemon.received().stream().anyMatch(m -> m instanceof dev.segue.protocol.message.Fetch),
                    "followed with a fetch");
        }
    }

    @Test
    void anExtendIsSentOffTheCallersThreadAndItsAnswerReported() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(2, 300, 6));
        Recorder events = new Recorder();
        try (FakeDaemon daemon = new FakeDaemon(canned);
             JobWatcher watcher = new JobWatcher(clients(daemon.endpoint()), new TakeCache(dir, 1 << 20, 8), events,
                     Duration.ofSeconds(30), 8)) {
            watcher.start();
            events.await("jobs 1");
            watcher.extend(CannedDaemon.JOB, 1, 2);
            assertEquals("extended " + CannedDaemon.JOB + " 1 " + CannedDaemon.EXTENSION, events.await("extended"));
            Extend sent = (Extend) daemon.received().stream().filter(m -> m instanceof Extend).findFirst().orElseThrow();
            assertEquals(new Length.Bars(2), sent.length());
            assertEquals(1, sent.candidate());
            // The poll interval is 30 s: the job list that follows comes from the extend asking for a poll now.
            events.await("jobs 1");
            watcher.extend("gone", 0, 1);
            String refused = events.await("not extended");
            assertTrue(refused.startsWith("not extended gone 0 UNKNOWN_JOB"), refused);
        }
    }

    private static DaemonClients clients(String endpoint) {
        return new DaemonClients() {
            public DaemonClient forPolling() {
                return new DaemonClient(endpoint, Duration.ofMillis(700));
            }

            public DaemonClient forTransfers() {
                return new DaemonClient(endpoint, Duration.ofSeconds(3));
            }

            public String endpoint() {
                return endpoint;
            }
        };
    }

    @Test
    void listsJobsLoadsFinishedTakesOnceAndReconnectsAfterTheDaemonIsGone() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(2, 500, 4));
        canned.startSample(96_000);
        FakeDaemon daemon = new FakeDaemon(canned);
        int port = daemon.port();
        Recorder events = new Recorder();
        TakeCache cache = new TakeCache(dir, 1 << 20, 8);
        try (JobWatcher watcher = new JobWatcher(clients(daemon.endpoint()), cache, events, Duration.ofMillis(200), 8)) {
            watcher.start();
            events.await("online");
            events.await("jobs 1");
            events.await("takes " + CannedDaemon.JOB + " 2");
            assertEquals(96_000, events.takes.get(0).take().startSample(), "the seam as the result says");
            assertEquals(500, events.takes.get(1).take().frames());
            Thread.sleep(600); // several more polls: the done job is not fetched again
            long fetches = daemon.received().stream().filter(m -> m instanceof dev.segue.protocol.message.Fetch).count();
            assertEquals(1, fetches, "a finished job is fetched once, then served from the cache");

            daemon.close();
            String offline = events.await("offline");
            assertTrue(offline.contains("reconnecting"), offline);
            FakeDaemon again = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(2, 500, 4)), port);
            try {
                events.await("online");
                events.await("jobs 1");
            } finally {
                again.close();
            }
        }
    }
}
