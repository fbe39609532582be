package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.DaemonException;
import dev.segue.bridge.client.JobListener;
import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.Take;
import dev.segue.engine.cluster.StandInPrior;
import dev.segue.engine.monitor.Monitor;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many daemons behind one gateway on NATS JetStream, all real processes: nats-server, one gateway, three
 * workers on the stand-in prior (20 tokens of 100 ms a job). Clients are the host bridge's client, as the
 * CLI and the app use it. Each test starts from three live workers. About 450 lines because the cluster's
 * processes are started once for all of the fault cases, each its own test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {
    private static final int RATE = 44100;
    private static final String PRIOR = "stand-in";
    private static final List<String> WORKERS = List.of("w1", "w2", "w3");
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

    private ClusterProcesses cluster;

    @BeforeAll
    void startCluster(@TempDir Path dir) throws Exception {
        cluster = ClusterProcesses.started(dir, WORKERS);
    }

    @AfterAll
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Restarts any worker an earlier test stopped or killed. */
    @BeforeEach
    void threeWorkers() throws Exception {
        for (String w : WORKERS) {
            if (!cluster.worker(w).isAlive()) {
                cluster.startWorker(w);
            }
        }
        awaitPriors(List.of(PRIOR));
    }

    private DaemonClient client() {
        return new DaemonClient(cluster.endpoint, Duration.ofSeconds(20));
    }

    private static Submit submit(String prior, String preset, double seconds, int candidates, long seed) {
        return submit(prior, preset, seconds, candidates, seed, 1, 1);
    }

    /** A sine prime of {@code primeSeconds} (whole seconds) on {@code channels} channels. */
    private static Submit submit(String prior, String preset, double seconds, int candidates, long seed, int primeSeconds,
                                 int channels) {
        float[] prime = new float[RATE * primeSeconds * channels];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 330 * (i / channels) / RATE));
        }
        return new Submit(1, new DawContext(RATE, 120, 4, 4, 1000, 0.0), new GenerationRequest(prior, preset,
                new Length.Seconds(seconds), candidates, Quality.SKETCH, List.of(0.95), null, null, seed, null, null,
                null), Audio.of(channels, prime));
    }

    /** What the stand-in makes for this request, computed here: a whole take is exactly this. */
    private static float[][] expected(Submit s) {
        long frames = Math.round(((Length.Seconds) s.request().length()).seconds() * RATE);
        return new StandInPrior(PRIOR, 0).continueAudio(new float[RATE], RATE, frames, s.request(), Monitor.NONE);
    }

    private static void assertWhole(Submit s, JobResult result) {
        float[][] want = expected(s);
        int channels = s.prime().channels();
        assertEquals(want.length, result.takes().size(), "takes");
        for (Take t : result.takes()) {
            assertEquals(RATE, t.sampleRate());
            assertEquals(channels, t.channels(), "a take has the prime's channels");
            assertEquals(1000 + s.prime().frames(), t.startSample(), "takes start where the prime ends");
            assertEquals(s.request().seed() + t.candidate(), t.seed());
            float[] mono = new float[t.frames()];
            for (int i = 0; i < mono.length; i++) {
                mono[i] = t.samples()[i * channels];
                assertEquals(mono[i], t.samples()[i * channels + channels - 1]);
            }
            assertArrayEquals(want[t.candidate()], mono, "candidate " + t.candidate() + " whole and exact");
        }
    }

    /** The worker whose log shows it took delivery {@code n} of {@code job}, waiting up to 20 s for it. */
    private String deliveredTo(String job, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String w : WORKERS) {
                if (cluster.workerLogs(w).contains("job " + job + ": delivery " + n + " on worker " + w)) {
                    return w;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no worker logged delivery " + n + " of job " + job);
    }

    private void awaitPriors(List<String> want) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> seen = null;
        while (System.nanoTime() < deadline) {
            try (DaemonClient c = client()) {
                seen = c.listPriors().stream().map(p -> p.name()).toList();
                if (seen.equals(want)) {
                    return;
                }
            } catch (DaemonException e) {
                seen = List.of(e.getMessage()); // the gateway or NATS is still coming back
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway offers " + seen + ", not " + want);
    }

    @Test
    void theGatewayAnswersAsALoneDaemonWouldWithJobsSpreadOverWorkers() throws Exception {
        try (DaemonClient c = client()) {
            Capabilities caps = c.hello("cluster-test");
            assertTrue(caps.daemonVersion().endsWith("-gateway"), caps.daemonVersion());
            assertEquals(List.of(PRIOR), caps.priors());
            assertEquals(32000, c.listPriors().get(0).sampleRate());
            assertTrue(c.heartbeat().toMillis() < 5_000);
            assertTrue(c.listLabels(PRIOR, LabelKind.ARTIST).isEmpty(), "the stand-in ships no artist list");

            DaemonException unknown = assertThrows(DaemonException.class, () -> c.submit(submit("nobody", "sketch", 1, 1, 1)));
            assertEquals(ErrorCode.UNKNOWN_PRIOR, unknown.code());
            assertTrue(unknown.text().contains("no prior 'nobody'"), unknown.text());
            assertEquals(ErrorCode.UNKNOWN_PRESET, assertThrows(DaemonException.class,
                    () -> c.submit(submit(PRIOR, "studio", 1, 1, 1))).code());
        }

        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Submit> submits = List.of(submit(PRIOR, "sketch", 1, 2, 11), submit(PRIOR, "sketch", 1, 2, 12),
                submit(PRIOR, "sketch", 1, 2, 13));
        List<String> jobs = new ArrayList<>();
        try {
            List<Future<JobResult>> results = new ArrayList<>();
            for (Submit s : submits) {
                results.add(pool.submit(() -> {
                    try (DaemonClient c = client()) {
                        return c.awaitJob(c.submit(s).job(), JobListener.NONE, JOB_TIMEOUT);
                    }
                }));
            }
            for (int i = 0; i < submits.size(); i++) {
                JobResult r = results.get(i).get(90, TimeUnit.SECONDS);
                assertWhole(submits.get(i), r);
                jobs.add(r.job());
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> ranOn = new HashSet<>();
        for (String job : jobs) {
            ranOn.add(deliveredTo(job, 1));
        }
        assertTrue(ranOn.size() >= 2, "three jobs at once ran on " + ranOn);

        try (DaemonClient c = client()) {
            List<JobInfo> listed = c.listJobs();
            for (String job : jobs) {
                JobInfo info = listed.stream().filter(j -> j.job().equals(job)).findFirst().orElseThrow();
                assertEquals(dev.segue.protocol.message.JobState.DONE, info.state());
                assertEquals(2, info.takesDone());
            }
            assertWhole(submits.get(0), c.fetch(jobs.get(0)));
            assertEquals(DaemonClient.CancelOutcome.ALREADY_DONE, c.cancel(jobs.get(0)));
            assertEquals(ErrorCode.UNKNOWN_JOB, assertThrows(DaemonException.class, () -> c.fetch("nope")).code());
            assertEquals(ErrorCode.UNKNOWN_JOB, assertThrows(DaemonException.class, () -> c.cancel("nope")).code());

            JobResult extended = c.awaitJob(c.extend(jobs.get(0), 1, new Length.Seconds(0.5)).job(), JobListener.NONE,
                    JOB_TIMEOUT);
            Take more = extended.takes().get(0);
            assertEquals(RATE / 2, more.frames());
            assertEquals(1000 + RATE + RATE, more.startSample(), "an extension starts where its take ended");

            String running = c.submit(submit(PRIOR, "sketch", 1, 1, 14)).job();
            deliveredTo(running, 1);
            assertEquals(DaemonClient.CancelOutcome.CANCELLED, c.cancel(running));
            assertEquals(ErrorCode.CANCELLED, assertThrows(DaemonException.class, () -> c.fetch(running)).code());
        }
    }

    @Test
    void aWorkerKilledMidJobIsReplacedAndItsClientSeesProgressStartOver() throws Exception {
        Submit s = submit(PRIOR, "sketch", 1, 2, 21);
        List<Long> progress = new CopyOnWriteArrayList<>();
        String[] killed = {null};
        try (DaemonClient c = client()) {
            String job = c.submit(s).job();
            JobResult r = c.awaitJob(job, new JobListener() {
                @Override
                public void onProgress(Progress p) {
                    progress.add(p.tokensDone());
                    if (killed[0] == null && p.tokensDone() >= 6) {
                        try {
                            killed[0] = deliveredTo(job, 1);
                            cluster.killWorker(killed[0]);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }, JOB_TIMEOUT);
            assertTrue(killed[0] != null, "the job ended before it could be interrupted: " + progress);
            assertWhole(s, r);
            String second = deliveredTo(job, 2);
            assertTrue(!second.equals(killed[0]), "redelivered to the killed worker " + second);
            int drop = -1;
            for (int i = 1; i < progress.size(); i++) {
                if (progress.get(i) < progress.get(i - 1)) {
                    drop = i;
                }
            }
            assertTrue(drop > 0, "progress never started over: " + progress);
            assertEquals(20L, progress.get(progress.size() - 1));
            assertWhole(s, c.fetch(job));
        }
    }

    @Test
    void aWorkerStoppedWithSigtermHandsItsJobBack() throws Exception {
        Submit s = submit(PRIOR, "sketch", 1, 1, 71);
        try (DaemonClient c = client()) {
            String job = c.submit(s).job();
            String first = deliveredTo(job, 1);
            cluster.stopWorker(first); // returns once the process has ended
            assertTrue(cluster.workerLogs(first).contains("job " + job + ": handed back to the queue"),
                    "the stopping worker gave the job back rather than leaving it to the ack wait");
            assertWhole(s, c.awaitJob(job, JobListener.NONE, JOB_TIMEOUT));
            assertTrue(!deliveredTo(job, 2).equals(first));
        }
    }

    @Test
    void aRestartedGatewayIsReattachedWithFetchAndFetchOutlivesEveryWorker() throws Exception {
        Submit s = submit(PRIOR, "sketch", 1, 1, 31);
        String job;
        try (DaemonClient c = client()) {
            job = c.submit(s).job();
            deliveredTo(job, 1);
        }
        cluster.killGateway();
        cluster.startGateway();
        try (DaemonClient c = client()) {
            assertWhole(s, c.fetch(job, JobListener.NONE, JOB_TIMEOUT)); // running or done by now: either re-attaches
        }
        for (String w : WORKERS) {
            cluster.stopWorker(w);
        }
        awaitPriors(List.of());
        try (DaemonClient c = client()) {
            assertWhole(s, c.fetch(job));
            assertTrue(c.listJobs().stream().anyMatch(j -> j.job().equals(job)));
            DaemonException none = assertThrows(DaemonException.class, () -> c.submit(s));
            assertEquals(ErrorCode.UNKNOWN_PRIOR, none.code(), "with no worker for the prior, a clear refusal");
        }
    }

    @Test
    void aNatsRestartLosesNoFinishedTake() throws Exception {
        Submit s = submit(PRIOR, "sketch", 1, 2, 41, 4, 2); // 1.4 MB of prime: it travels in the object store
        String job;
        try (DaemonClient c = client()) {
            job = c.submit(s).job();
            assertWhole(s, c.awaitJob(job, JobListener.NONE, JOB_TIMEOUT));
        }
        cluster.killNats();
        cluster.startNats();
        awaitPriors(List.of(PRIOR)); // the gateway and the workers reconnect on their own
        try (DaemonClient c = client()) {
            assertWhole(s, c.fetch(job));
            Submit after = submit(PRIOR, "sketch", 1, 1, 42);
            assertWhole(after, c.awaitJob(c.submit(after).job(), JobListener.NONE, JOB_TIMEOUT));
        }
    }

    @Test
    void aJobDeliveredTwiceKeepsTheFirstResult() throws Exception {
        Submit s = submit(PRIOR, "sketch", 1, 1, 51);
        try (DaemonClient c = client()) {
            String job = c.submit(s).job();
            String paused = deliveredTo(job, 1);
            long pid = cluster.worker(paused).pid();
            signal("-STOP", pid); // alive but silent: past the ack wait JetStream gives the job to another worker
            JobResult first;
            try {
                first = c.awaitJob(job, JobListener.NONE, JOB_TIMEOUT);
            } finally {
                signal("-CONT", pid);
            }
            assertWhole(s, first);
            assertTrue(!deliveredTo(job, 2).equals(paused));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!cluster.workerLogs(paused).contains("job " + job + " was already DONE")) {
                assertTrue(System.nanoTime() < deadline, "the paused worker never finished its copy of the job");
                Thread.sleep(100);
            }
            JobResult again = c.fetch(job);
            assertArrayEquals(first.takes().get(0).samples(), again.takes().get(0).samples());
        }
    }

    @Test
    void aJobEveryWorkerDiesUnderEndsWithAClearErrorNotAWaitForEver() throws Exception {
        Submit s = submit(PRIOR, "sketch", 1, 1, 61);
        List<Long> paused = new ArrayList<>();
        try (DaemonClient c = client()) {
            String job = c.submit(s).job();
            try {
                for (int n = 1; n <= ClusterProcesses.MAX_DELIVER; n++) { // each delivery's worker goes silent
                    long pid = cluster.worker(deliveredTo(job, n)).pid();
                    signal("-STOP", pid);
                    paused.add(pid);
                }
                // JetStream gives up on a job when it would deliver it once more: when a worker next pulls.
                cluster.startWorker("w4");
                DaemonException e = assertThrows(DaemonException.class, () -> c.awaitJob(job, JobListener.NONE,
                        JOB_TIMEOUT));
                assertEquals(ErrorCode.INTERNAL, e.code());
                assertTrue(e.text().contains("started " + ClusterProcesses.MAX_DELIVER + " times"), e.text());
            } finally {
                for (long pid : paused) {
                    signal("-CONT", pid);
                }
                if (cluster.worker("w4") != null) {
                    cluster.stopWorker("w4");
                }
            }
            assertEquals(ErrorCode.INTERNAL, assertThrows(DaemonException.class, () -> c.fetch(job)).code(),
                    "the failure is final: the workers resumed afterwards do not turn it into a result");
        }
    }

    /**
     * The golden-vector C client (libzmq and the plugin's own C codec, written from PROTOCOL.md apart from the
     * Java side) gets from the gateway what it gets from a lone daemon: the prescribed reply to every valid
     * request and the prescribed error code for every invalid vector. The vectors name the prior 'default',
     * so a worker offers a stand-in under that name for the while.
     */
    @Test
    void theGoldenVectorClientInCPassesAgainstTheGateway() throws Exception {
        Path dir = cluster.dir;
        Path client = dir.resolve("golden_client");
        Process cc = new ProcessBuilder("gcc", "-std=c11", "-D_DEFAULT_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror",
                "-Wno-format-truncation", "-o", client.toString(),
                "-I" + SeguePart.ROOT.resolve("native-shim/src/core"), SeguePart.ROOT.resolve("tests/c/golden_client.c").toString(),
                SeguePart.ROOT.resolve("native-shim/src/core/codec.c").toString(), "-lzmq", "-lmsgpackc", "-lm")
                .redirectErrorStream(true).redirectOutput(dir.resolve("cc.log").toFile()).start();
        assertTrue(cc.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, cc.exitValue(), "the C client does not build (./segue test installs libzmq3-dev and "
                + "libmsgpack-dev):\n" + java.nio.file.Files.readString(dir.resolve("cc.log")));
        cluster.startWorker("wd", "default");
        try {
            awaitPriors(List.of(PRIOR, "default"));
            Process run = new ProcessBuilder(client.toString(), cluster.endpoint,
                    SeguePart.ROOT.resolve("protocol/vectors").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("client.log").toFile()).start();
            assertTrue(run.waitFor(120, TimeUnit.SECONDS), "the C client did not finish");
            String out = java.nio.file.Files.readString(dir.resolve("client.log"));
            assertEquals(0, run.exitValue(), out);
            assertTrue(out.matches("(?s).*\\n\\d+ passed, 0 failed\\n?$"), out);
            assertTrue(out.contains("PASS hello.frames -> capabilities"), out);
        } finally {
            cluster.stopWorker("wd");
        }
    }

    /**
     * A second gateway on the same cluster, off-loopback rules: with CurveZMQ keys it serves only clients on its
     * allowlist (and sees the same jobs as the first); without keys, off loopback, it refuses to start.
     */
    @Test
    void aSecondGatewayWithCurveKeysServesOnlyAllowedClients() throws Exception {
        Path dir = cluster.dir;
        Path keys = dir.resolve("keys");
        java.nio.file.Files.createDirectories(keys.resolve("clients"));
        org.zeromq.ZCert producer = new org.zeromq.ZCert();
        producer.savePublic(keys.resolve("clients/producer.public").toString());
        producer.saveSecret(dir.resolve("producer.secret").toString());
        String endpoint = ClusterProcesses.freeEndpoint();
        Process second = cluster.startExtraGateway(endpoint, "--curve-keys", keys.toString());
        try {
            assertEquals(0, bridge("allowed", "priors", "--endpoint", endpoint, "--reply-timeout-s", "5", "--no-start",
                    "--curve-server-key", keys.resolve("server.public").toString(), "--curve-key",
                    dir.resolve("producer.secret").toString()));
            assertTrue(java.nio.file.Files.readString(dir.resolve("allowed.log")).contains(PRIOR));
            assertTrue(bridge("plain", "priors", "--endpoint", endpoint, "--reply-timeout-s", "3", "--no-start") != 0,
                    "a client without CurveZMQ is not served");
        } finally {
            second.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Process open = new ProcessBuilder(ClusterProcesses.engineCommand("gateway", "--nats", cluster.natsUrl,
                "--endpoint", "tcp://0.0.0.0:5599")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("refused.log").toFile()).start();
        assertTrue(open.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, open.exitValue());
        assertTrue(java.nio.file.Files.readString(dir.resolve("refused.log")).contains("CurveZMQ"));
    }

    private int bridge(String log, String... args) throws Exception {
        Process p = new ProcessBuilder(SeguePart.bridge(args)).redirectErrorStream(true)
                .redirectOutput(cluster.dir.resolve(log + ".log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client did not finish");
        return p.exitValue();
    }

    private static void signal(String sig, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", sig, Long.toString(pid)).inheritIO().start().waitFor());
    }
}
