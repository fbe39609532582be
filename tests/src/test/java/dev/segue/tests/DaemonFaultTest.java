package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.DaemonException;
import dev.segue.bridge.client.JobListener;
import dev.segue.bridge.client.JobResult;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults a producer's setup will meet: many clients at once, a client that leaves, a daemon killed mid-job. */
class DaemonFaultTest {
    private static final int RATE = 44100;
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path dir;
    @AutoClose
    private DaemonProcess daemon;

    private DaemonProcess started() throws Exception {
        daemon = new DaemonProcess(dir);
        daemon.start("daemon-1.log");
        return daemon;
    }

    private static Submit submit(String prior, double seconds, int candidates, long seed) {
        float[] prime = new float[RATE];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 330 * i / RATE));
        }
        return new Submit(1, new DawContext(RATE, 120, 4, 4, 0, 0.0), new GenerationRequest(prior, "sketch",
                new Length.Seconds(seconds), candidates, Quality.SKETCH, List.of(0.95), null, null, seed, null, null,
                null), Audio.of(1, prime));
    }

    private DaemonClient client() {
        return new DaemonClient(daemon.endpoint, Duration.ofSeconds(20));
    }

    @Test
    void twentyClientsSubmittingAtOnceEachGetTheirAnswer() throws Exception {
        started();
        int clients = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<JobResult>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                long seed = 100 + i;
                results.add(pool.submit(() -> {
                    try (DaemonClient c = client()) {
                        String prior = c.hello("fault-test").priors().get(0);
                        String job = c.submit(submit(prior, 0.2, 1, seed)).job();
                        return c.awaitJob(job, JobListener.NONE, JOB_TIMEOUT);
                    }
                }));
            }
            int frames = (int) Math.floor(0.2 * RATE + 0.5);
            for (Future<JobResult> f : results) {
                JobResult r = f.get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(1, r.takes().size());
                assertEquals(frames, r.takes().get(0).frames());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void previewsStreamInBeforeTheResults() throws Exception {
        started();
        try (DaemonClient c = client()) {
            String prior = c.hello("listens").priors().get(0);
            String job = c.submit(submit(prior, 0.7, 2, 11)).job();
            int[] previews = {0};
            JobResult r = c.awaitJob(job, new JobListener() {
                @Override
                public void onPreview(dev.segue.protocol.message.Preview preview) {
                    previews[0]++;
                }
            }, JOB_TIMEOUT);
            assertEquals(2, r.takes().size());
            assertTrue(previews[0] >= 2, "previews before done: " + previews[0]);
        }
    }

    @Test
    void aClientThatLeavesMidJobDoesNotLoseTheTakes() throws Exception {
        started();
        String job;
        try (DaemonClient leaving = client()) {
            String prior = leaving.hello("leaves").priors().get(0);
            job = leaving.submit(submit(prior, 0.7, 4, 7)).job();
        } // gone before the job is done
        try (DaemonClient later = client()) {
            later.hello("comes back");
            JobResult r = later.fetch(job, JobListener.NONE, JOB_TIMEOUT);
            assertEquals(4, r.takes().size());
        }
    }

    @Test
    void anOrderlyShutdownMidJobRecordsTheJobAsStoppedByTheShutdown() throws Exception {
        started();
        String interrupted;
        try (DaemonClient c = client()) {
            String prior = c.hello("before").priors().get(0);
            interrupted = c.submit(submit(prior, 0.7, 16, 5)).job();
            RuntimeException stop = new RuntimeException("stop now");
            assertThrows(RuntimeException.class, () -> c.awaitJob(interrupted, new JobListener() {
                @Override
                public void onProgress(Progress progress) {
                    throw stop;
                }
            }, JOB_TIMEOUT));
        }
        daemon.terminate();
        daemon.start("daemon-2.log");
        try (DaemonClient c = client()) {
            c.hello("after");
            DaemonException e = assertThrows(DaemonException.class, () -> c.fetch(interrupted));
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertTrue(e.text().contains("shut down"), e.text());
        }
    }

    @Test
    void aDaemonKilledMidJobKeepsFinishedTakesAndReportsTheInterruptedJob() throws Exception {
        started();
        String finished;
        String interrupted;
        try (DaemonClient c = client()) {
            String prior = c.hello("before").priors().get(0);
            finished = c.submit(submit(prior, 0.2, 2, 3)).job();
            c.awaitJob(finished, JobListener.NONE, JOB_TIMEOUT);
            interrupted = c.submit(submit(prior, 0.7, 16, 4)).job();
            // Kill as soon as the long job reports progress: it is running, not yet done.
            RuntimeException stop = new RuntimeException("kill now");
            assertThrows(RuntimeException.class, () -> c.awaitJob(interrupted, new JobListener() {
                @Override
                public void onProgress(Progress progress) {
                    throw stop;
                }
            }, JOB_TIMEOUT));
        }
        daemon.kill();
        daemon.start("daemon-2.log");
        try (DaemonClient c = client()) {
            c.hello("after");
            assertEquals(2, c.fetch(finished).takes().size(), "finished takes survive a SIGKILL");
            DaemonException e = assertThrows(DaemonException.class, () -> c.fetch(interrupted));
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertTrue(e.text().contains("daemon stopped"), e.text());
        }
    }
}
