package dev.segue.bridge.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.fake.CannedDaemon;
import dev.segue.bridge.fake.FakeDaemon;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class DaemonClientTest {
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final Duration JOB = Duration.ofSeconds(10);
    private static final int PRIME_FRAMES = 4800;

    static Submit submit(int candidates) {
        DawContext ctx = new DawContext(48_000, 120, 4, 4, 0, 0.0);
        GenerationRequest req = new GenerationRequest("test-prior", "test-preset", new Length.Bars(1), candidates,
                Quality.SKETCH, List.of(0.95, 0.95, 0.95), null, null, 7, null, null, null);
        return new Submit(0, ctx, req, Audio.of(2, new float[PRIME_FRAMES * 2]));
    }

    @Test
    void requestIdsCountUpFromOneAndRepliesArrive() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1)));
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            Capabilities caps = client.hello("test");
            assertEquals(List.of("test-prior"), caps.priors());
            assertEquals(CannedDaemon.PRIOR, client.listPriors().get(0));
            assertEquals(CannedDaemon.PRESET, client.listPresets().get(0));
            assertTrue(client.heartbeat().toMillis() < 5000);
            assertEquals(List.of(1L, 2L, 3L, 4L), daemon.received().stream().map(Message::req).toList());
        }
    }

    @Test
    void chunkedResultsAreReassembledBitForBit() throws Exception {
        List<float[]> takes = CannedDaemon.wildTakes(3, 1001, 42);
        CannedDaemon canned = new CannedDaemon(takes);
        List<Progress> progress = new ArrayList<>();
        List<Preview> previews = new ArrayList<>();
        JobListener listener = new JobListener() {
            @Override
            public void onProgress(Progress p) {
                progress.add(p);
            }

            @Override
            public void onPreview(Preview p) {
                previews.add(p);
            }
        };
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            client.hello("test");
            String job = client.submit(submit(3)).job();
            JobResult result = client.awaitJob(job, listener, JOB);

            assertEquals(CannedDaemon.JOB, result.job());
            assertEquals(3, result.takes().size());
            for (int c = 0; c < 3; c++) {
                Take t = result.takes().get(c);
                assertEquals(c, t.candidate());
                assertEquals(1001, t.frames());
                assertEquals(48_000, t.sampleRate());
                assertEquals(PRIME_FRAMES, t.startSample(), "starts where the prime ends");
                assertEquals(canned.seedOf(c), t.seed());
                assertArrayEquals(bits(takes.get(c)), bits(t.samples()), "candidate " + c);
            }
            assertEquals(3, progress.size());
            assertEquals(1, previews.size());
            assertTrue(daemon.failures().isEmpty(), daemon.failures().toString());
        }
    }

    @Test
    void errorReplyToSubmitCarriesTheDaemonsCode() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1));
        canned.submitError = ErrorCode.UNKNOWN_PRIOR;
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            DaemonException e = assertThrows(DaemonException.class, () -> client.submit(submit(1)));
            assertEquals(DaemonException.Kind.ERROR_REPLY, e.kind());
            assertEquals(ErrorCode.UNKNOWN_PRIOR, e.code());
            assertEquals("request.prior: canned refusal", e.text());
        }
    }

    @Test
    void jobErrorEndsTheWait() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1));
        canned.jobError = ErrorCode.INTERNAL;
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            String job = client.submit(submit(1)).job();
            DaemonException e = assertThrows(DaemonException.class, () -> client.awaitJob(job, JobListener.NONE, JOB));
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertEquals(CannedDaemon.JOB, e.job());
        }
    }

    @Test
    void labelListsArriveWholeAndAListThatChangesWhileReadIsABadReply() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1)));
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            assertEquals(CannedDaemon.ARTISTS, client.listLabels("test-prior", LabelKind.ARTIST));
            assertEquals(List.of(), client.listLabels("test-prior", LabelKind.GENRE));
            DaemonException unknown = assertThrows(DaemonException.class, () -> client.listLabels("x", LabelKind.GENRE));
            assertEquals(ErrorCode.UNKNOWN_PRIOR, unknown.code());
        }
        // A daemon whose list grows between pages: the client refuses to stitch two versions together.
        FakeDaemon.Handler growing = (m, out) -> {
            if (m instanceof ListLabels l) {
                long total = 200 + l.offset();
                int n = (int) Math.min(l.limit(), total - l.offset());
                out.send(new Labels(l.req(), l.prior(), l.kind(), total, l.offset(), java.util.Collections.nCopies(n, "a")));
            }
        };
        try (FakeDaemon daemon = new FakeDaemon(growing);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            DaemonException e = assertThrows(DaemonException.class, () -> client.listLabels("p", LabelKind.ARTIST));
            assertEquals(DaemonException.Kind.BAD_REPLY, e.kind());
            assertTrue(e.text().contains("changed while it was read"), e.text());
        }
    }

    @Test
    void noDaemonTimesOutCleanly() throws Exception {
        long start = System.nanoTime();
        try (DaemonClient client = new DaemonClient("tcp://127.0.0.1:" + freePort(), Duration.ofSeconds(1))) {
            DaemonException e = assertThrows(DaemonException.class, () -> client.hello("test"));
            assertEquals(DaemonException.Kind.TIMEOUT, e.kind());
            assertTrue(e.text().contains("is it running"), e.text());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 0.9 && seconds < 3, seconds + " s");
    }

    @Test
    void freshConnectionsDoNotStallInTheHandshake() throws Exception {
        // JeroMQ 0.6.0 strands a few % of fresh connections before the handshake (Mailbox explains);
        // without the short handshake timer, one of 40 would very likely miss its 3 s.
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1)))) {
            for (int i = 0; i < 40; i++) {
                try (DaemonClient client = new DaemonClient(daemon.endpoint(), Duration.ofSeconds(3))) {
                    assertEquals("fake-daemon", client.hello("fresh-" + i).daemonVersion(),
                            "connection " + i + " was answered by the daemon's own capabilities");
                }
            }
        }
    }

    @Test
    void silentDaemonIsDeclaredOfflineAfterThreeHeartbeats() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1));
        canned.finishJobs = false;
        canned.answerHeartbeats = false;
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY, Duration.ofMillis(100))) {
            String job = client.submit(submit(1)).job();
            long start = System.nanoTime();
            DaemonException e = assertThrows(DaemonException.class, () -> client.awaitJob(job, JobListener.NONE, JOB));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(DaemonException.Kind.TIMEOUT, e.kind());
            assertTrue(e.text().contains("stopped answering"), e.text());
            assertTrue(seconds >= 0.3 && seconds < 3, seconds + " s");
            Thread.sleep(50); // the last heartbeat may still be in flight
            assertEquals(3, daemon.received().stream().filter(m -> m instanceof Heartbeat).count());
        }
    }

    @Test
    void liveButUnfinishedJobTimesOutAtTheDeadline() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1));
        canned.finishJobs = false;
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY, Duration.ofMillis(100))) {
            String job = client.submit(submit(1)).job();
            long start = System.nanoTime();
            DaemonException e = assertThrows(DaemonException.class,
                    () -> client.awaitJob(job, JobListener.NONE, Duration.ofMillis(700)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.text().contains("not done within"), e.text());
            assertTrue(seconds >= 0.65 && seconds < 3, seconds + " s");
        }
    }

    @Test
    void noiseIsDroppedOrAnsweredAndTheJobStillCompletes() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(2, 50, 3));
        canned.noise = true;
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            String job = client.submit(submit(2)).job();
            assertEquals(2, client.awaitJob(job, JobListener.NONE, JOB).takes().size());
            Thread.sleep(50);
            assertTrue(daemon.received().contains(new Heartbeat(0, 4242)), "the daemon's heartbeat is echoed");
        }
    }

    @Test
    void doneBeforeTheLastChunkIsABadReply() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(2, 50, 3));
        canned.dropLastChunk = true;
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            String job = client.submit(submit(2)).job();
            DaemonException e = assertThrows(DaemonException.class, () -> client.awaitJob(job, JobListener.NONE, JOB));
            assertEquals(DaemonException.Kind.BAD_REPLY, e.kind());
            assertTrue(e.text().contains("candidate 1 was whole"), e.text());
        }
    }

    @Test
    void fetchReassemblesAFinishedJobAndRefusesAnUnknownOne() throws Exception {
        List<float[]> takes = CannedDaemon.wildTakes(2, 777, 5);
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(takes));
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            JobResult result = client.fetch(CannedDaemon.JOB);
            assertArrayEquals(bits(takes.get(1)), bits(result.takes().get(1).samples()));
            DaemonException e = assertThrows(DaemonException.class, () -> client.fetch("nope"));
            assertEquals(ErrorCode.UNKNOWN_JOB, e.code());
        }
    }

    @Test
    void cancelTellsCancelledFromAlreadyDone() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1));
        try (FakeDaemon daemon = new FakeDaemon(canned);
             DaemonClient client = new DaemonClient(daemon.endpoint(), REPLY)) {
            assertEquals(DaemonClient.CancelOutcome.ALREADY_DONE, client.cancel(CannedDaemon.JOB));
            canned.finishJobs = false;
            assertEquals(DaemonClient.CancelOutcome.CANCELLED, client.cancel(CannedDaemon.JOB));
            DaemonException e = assertThrows(DaemonException.class, () -> client.cancel("nope"));
            assertEquals(ErrorCode.UNKNOWN_JOB, e.code());
        }
    }

    static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    /** A loopback port nothing listens on (bound, then released). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
