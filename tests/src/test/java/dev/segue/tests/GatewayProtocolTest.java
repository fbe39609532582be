package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.DaemonException;
import dev.segue.engine.cluster.StandInPrior;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Stats;
import dev.segue.protocol.message.Submit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The gateway held to PROTOCOL.md point by point, as the lone daemon is (DaemonFlowTest, DaemonEndToEndTest), by
 * clients speaking the wire directly: real processes, nats-server, one gateway and one worker on the stand-in prior
 * (20 tokens of 100 ms a job), so only one job runs at a time, as on a lone daemon. About 450 lines because
 * the processes are started once for all its points, and each point is its own test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayProtocolTest {
    private static final int RATE = 44100;
    private static final String PRIOR = "stand-in";

    private ClusterProcesses cluster;
    private ZContext zmq;

    @BeforeAll
    void startCluster(@TempDir Path dir) throws Exception {
        cluster = ClusterProcesses.started(dir, List.of("solo"));
        zmq = new ZContext();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) { // the gateway offers the prior once the worker's announcement is read
            try (DaemonClient c = new DaemonClient(cluster.endpoint, Duration.ofSeconds(10))) {
                if (c.hello("wait").priors().contains(PRIOR)) {
                    break;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the gateway never offered the worker's prior");
            Thread.sleep(200);
        }
    }

    @AfterAll
    void stopCluster() throws InterruptedException {
        if (zmq != null) {
            zmq.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * A connection the gateway has answered a hello on. JeroMQ 0.6.0 leaves a few % of fresh outgoing connections
     * stuck before the ZMTP handshake (zeromq/jeromq PR #1022; about one in a hundred here under load), so the
     * handshake timer is cut from 30 s to 1 s and a test connection is one whose hello was answered, tried up to
     * five times.
     */
    private ZMQ.Socket dealer() {
        for (int attempt = 1; ; attempt++) {
            ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setHandshakeIvl(1000);
            s.setReceiveTimeOut(3_000);
            s.connect(cluster.endpoint);
            send(s, new Hello(999, "protocol-test", "1", 1));
            ZMsg reply = ZMsg.recvMsg(s);
            if (reply != null) {
                assertInstanceOf(Capabilities.class, decode(reply));
                s.setReceiveTimeOut(30_000);
                return s;
            }
            s.close();
            if (attempt == 5) {
                throw new AssertionError("no hello answered on 5 fresh connections; the gateway's log ends:\n"
                        + cluster.gatewayLogTail());
            }
        }
    }

    private static void send(ZMQ.Socket s, Message m) {
        ZMsg msg = new ZMsg();
        ProtocolCodec.encode(m).forEach(msg::add);
        msg.send(s);
    }

    private Message receive(ZMQ.Socket s) {
        ZMsg msg = ZMsg.recvMsg(s);
        if (msg == null) {
            throw new AssertionError("no reply within 30 s; the gateway's log ends:\n" + cluster.gatewayLogTail());
        }
        return decode(msg);
    }

    private static Message decode(ZMsg msg) {
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        return ProtocolCodec.decode(frames);
    }

    /** Reads until a message of {@code type} (returned); the ones before it go to {@code seen}. */
    private <T extends Message> T until(ZMQ.Socket s, Class<T> type, List<Message> seen) {
        while (true) {
            Message m = receive(s);
            if (type.isInstance(m)) {
                return type.cast(m);
            }
            seen.add(m);
        }
    }

    private static Submit submit(long req, long seed) {
        float[] prime = new float[RATE];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 330 * i / RATE));
        }
        return new Submit(req, new DawContext(RATE, 120, 4, 4, 1000, 2.0), new GenerationRequest(PRIOR, "sketch",
                new Length.Seconds(0.5), 1, Quality.SKETCH, List.of(0.95), null, null, seed, null, null, null),
                Audio.of(1, prime));
    }

    /** A job's id once the gateway accepted it. */
    private String accepted(ZMQ.Socket s, long req) {
        Message m = receive(s);
        assertInstanceOf(Accepted.class, m, m.toString());
        assertEquals(req, m.req());
        return ((Accepted) m).job();
    }

    /** Reads until the job's last message under {@code req}. */
    private Message last(ZMQ.Socket s, long req, List<Message> seen) {
        while (true) {
            Message m = receive(s);
            if (m.req() == req && (m instanceof Done || m instanceof ErrorReply)) {
                return m;
            }
            seen.add(m);
        }
    }

    @Test
    void capabilitiesProgressAndResultsCarryWhatALoneDaemonSends() {
        ZMQ.Socket s = dealer();
        send(s, new Hello(1, "protocol-test", "1", 1));
        Capabilities caps = assertInstanceOf(Capabilities.class, receive(s));
        assertEquals(1000, caps.limits().maxUnread(), "limits.max_unread: the flow-control bound of section 4");
        assertEquals(List.of(PRIOR), caps.priors());

        send(s, submit(2, 41));
        String job = accepted(s, 2);
        List<Message> seen = new ArrayList<>();
        Message end = last(s, 2, seen);
        assertInstanceOf(Done.class, end, end.toString());
        List<Progress> progress = seen.stream().filter(m -> m instanceof Progress).map(m -> (Progress) m).toList();
        assertFalse(progress.isEmpty(), "progress relayed");
        assertEquals(Progress.ETA_UNKNOWN, progress.get(0).etaMs(), "a level's first progress has no estimate yet");
        assertTrue(progress.stream().anyMatch(p -> p.etaMs() < Progress.ETA_UNKNOWN), "later progress estimates");
        assertTrue(progress.stream().allMatch(p -> p.job().equals(job) && p.req() == 2));
        Result r = seen.stream().filter(m -> m instanceof Result).map(m -> (Result) m).findFirst().orElseThrow();
        assertEquals("120.0", r.metadata().get("tempo_bpm"));
        assertEquals("4/4", r.metadata().get("time_sig"));
        // The prime (1 s at 120 bpm in 4/4: half a bar) starts on bar 2.0, so the take starts on bar 2.5.
        assertEquals(2.5, Double.parseDouble(r.metadata().get("start_bar")), 1e-9);
        assertEquals(1000 + RATE, r.startSample());

        // get_stats is answered as a lone daemon answers it, with the gateway's own process figures.
        send(s, new GetStats(3));
        Stats stats = assertInstanceOf(Stats.class, receive(s));
        assertEquals(3, stats.req());
        assertTrue(stats.rssBytes() > 0 && stats.uptimeMs() > 0, stats.toString());
    }

    @Test
    void aCancelEndsEveryStreamAttachedToTheJobBeforeTheCancelsOwnAnswer() {
        ZMQ.Socket submitter = dealer();
        ZMQ.Socket watcher = dealer();
        send(submitter, submit(10, 51));
        String job = accepted(submitter, 10);
        until(submitter, Progress.class, new ArrayList<>()); // running
        send(watcher, new Fetch(20, job));
        assertEquals(job, accepted(watcher, 20));
        send(watcher, new Cancel(21, job));
        // The watcher is the canceller: its own stream (req 20) ends first, then the cancel is answered (req 21).
        List<Message> seen = new ArrayList<>();
        ErrorReply ownStream = until(watcher, ErrorReply.class, seen);
        assertEquals(20, ownStream.req(), ownStream.toString());
        assertEquals(ErrorCode.CANCELLED, ownStream.code());
        ErrorReply answer = until(watcher, ErrorReply.class, seen);
        assertEquals(21, answer.req(), answer.toString());
        assertEquals(ErrorCode.CANCELLED, answer.code());
        ErrorReply submitterEnd = until(submitter, ErrorReply.class, new ArrayList<>());
        assertEquals(10, submitterEnd.req(), submitterEnd.toString());
        assertEquals(ErrorCode.CANCELLED, submitterEnd.code());
        assertEquals(job, submitterEnd.job());

        send(watcher, new Fetch(22, job));
        ErrorReply later = assertInstanceOf(ErrorReply.class, receive(watcher));
        assertEquals(ErrorCode.CANCELLED, later.code());
        send(watcher, new Cancel(23, job));
        assertEquals(ErrorCode.CANCELLED, assertInstanceOf(ErrorReply.class, receive(watcher)).code());
    }

    @Test
    void aJobQueuedAtTheGatewayIsCancelledBeforeAnyWorkerSeesIt() throws Exception {
        ZMQ.Socket s = dealer();
        send(s, submit(30, 61));
        String running = accepted(s, 30);
        send(s, submit(31, 62));
        String queued = accepted(s, 31);
        send(s, new Cancel(32, queued));
        List<Message> seen = new ArrayList<>();
        ErrorReply end = until(s, ErrorReply.class, seen);
        assertEquals(31, end.req(), end.toString());
        assertEquals(ErrorCode.CANCELLED, end.code());
        ErrorReply answer = until(s, ErrorReply.class, seen);
        assertEquals(32, answer.req(), answer.toString());
        assertInstanceOf(Done.class, last(s, 30, seen));
        Thread.sleep(1_000);
        assertFalse(cluster.workerLogs("solo").contains("job " + queued + ": delivery"),
                "a job cancelled while the gateway held it never reaches a worker");
        assertTrue(cluster.workerLogs("solo").contains("job " + running + ": delivery 1"));
    }

    @Test
    void aFailedJobsOwnCodeComesBackOnEveryLaterFetchAlsoAfterAGatewayRestart() throws Exception {
        ZMQ.Socket s = dealer();
        send(s, submit(40, StandInPrior.REFUSED_SEED));
        String job = accepted(s, 40);
        Message end = last(s, 40, new ArrayList<>());
        ErrorReply failed = assertInstanceOf(ErrorReply.class, end, end.toString());
        assertEquals(ErrorCode.BAD_MESSAGE, failed.code(), "input the engine finds bad once it runs is the client's");
        assertTrue(failed.text().contains("refuses seed"), failed.text());

        send(s, new Fetch(41, job));
        ErrorReply again = assertInstanceOf(ErrorReply.class, receive(s));
        assertEquals(ErrorCode.BAD_MESSAGE, again.code());
        assertTrue(again.text().startsWith("the job failed earlier: "), again.text());
        s.close();

        cluster.killGateway();
        cluster.startGateway();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (DaemonClient c = new DaemonClient(cluster.endpoint, Duration.ofSeconds(10))) {
                DaemonException e = org.junit.jupiter.api.Assertions.assertThrows(DaemonException.class,
                        () -> c.fetch(job));
                assertEquals(ErrorCode.BAD_MESSAGE, e.code(), e.getMessage());
                assertTrue(e.text().startsWith("the job failed earlier: "), e.text());
                JobInfo info = c.listJobs().stream().filter(j -> j.job().equals(job)).findFirst().orElseThrow();
                assertEquals(dev.segue.protocol.message.JobState.FAILED, info.state());
                break;
            } catch (DaemonException notYet) { // the new gateway still connecting
                assertTrue(System.nanoTime() < deadline, notYet.getMessage());
                Thread.sleep(200);
            }
        }
    }

    @Test
    void jobsTheGatewayHeldForTheirTurnOutliveAGatewayKilledMidQueue() throws Exception {
        ZMQ.Socket s = dealer();
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            send(s, submit(50 + i, 90 + i));
            jobs.add(accepted(s, 50 + i));
        }
        until(s, Progress.class, new ArrayList<>()); // the first runs; one worker, so the others wait at the gateway
        cluster.killGateway(); // SIGKILL: the two waiting jobs were only in the gateway's queue and the pending bucket
        cluster.startGateway();
        s.close();
        for (String job : jobs) { // a client re-attaches with fetch, as after any gateway restart
            try (DaemonClient c = new DaemonClient(cluster.endpoint, Duration.ofSeconds(30))) {
                var result = c.fetch(job, dev.segue.bridge.client.JobListener.NONE, Duration.ofSeconds(60));
                assertEquals(1, result.takes().size(), job);
            }
        }
        for (String job : jobs) {
            assertTrue(cluster.workerLogs("solo").contains("job " + job + ": delivery 1"), job + " ran");
            assertFalse(cluster.workerLogs("solo").contains("job " + job + ": delivery 2"), job + " ran once");
        }
    }

    @Test
    void aClientThatReadsNothingIsAnsweredQueueFullThenDroppedAndTheGatewayKeepsServing() throws Exception {
        ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setRcvHWM(1); // little room on the way, so the gateway's own backlog for this client fills
        s.setReceiveBufferSize(4096);
        s.setReceiveTimeOut(3_000);
        s.setHandshakeIvl(1000); // a connection JeroMQ leaves before its handshake redials within a second (dealer())
        s.connect(cluster.endpoint);
        send(s, new Heartbeat(0, 0)); // the connection made (see dealer()): its first message may be lost
        for (int attempt = 0; ZMsg.recvMsg(s) == null; attempt++) {
            assertTrue(attempt < 5, "no heartbeat answered on this connection");
            send(s, new Heartbeat(0, 0));
        }
        // Capabilities replies (a few hundred bytes each) fill the socket buffers on the way sooner than heartbeats.
        int n = 60_000;
        for (int i = 1; i <= n; i++) {
            send(s, new Hello(i, "reads-nothing", "1", 1));
        }
        Thread.sleep(2_000); // let the gateway read them all while this client reads nothing
        BitSet answered = new BitSet(n + 1);
        int refused = 0;
        long lastReq = 0;
        ZMsg msg;
        while ((msg = ZMsg.recvMsg(s)) != null) {
            Message m = decode(msg);
            if (m.req() == 0) {
                continue; // a late answer to a connection heartbeat
            }
            int req = (int) m.req();
            assertTrue(req >= 1 && req <= n && !answered.get(req), "req " + req + " unexpected or answered twice");
            assertTrue(req > lastReq, "replies in the order of the requests");
            lastReq = req;
            answered.set(req);
            if (m instanceof ErrorReply e) {
                assertEquals(ErrorCode.QUEUE_FULL, e.code(), e.text());
                assertTrue(e.text().contains("replies are waiting for this client"), e.text());
                refused++;
            } else {
                assertInstanceOf(Capabilities.class, m);
            }
        }
        int dropped = n - answered.cardinality();
        System.out.println("gateway flow control: " + answered.cardinality() + " answered (" + refused
                + " QUEUE_FULL), " + dropped + " dropped unanswered");
        assertTrue(refused > 0, "requests past max_unread waiting replies are answered QUEUE_FULL");
        assertTrue(dropped > 0, "requests past twice max_unread are dropped");
        s.setReceiveTimeOut(30_000);
        send(s, new Heartbeat(n + 1, 7));
        assertEquals(new Heartbeat(n + 1, 7), receive(s), "the client is served again once it reads");
    }

    @Test
    void withThreeWorkersAClientWithOneJobWaitsForAtMostTheRunningJobs() throws Exception {
        cluster.startWorker("extra1");
        cluster.startWorker("extra2");
        try {
            ZMQ.Socket a = dealer();
            ZMQ.Socket b = dealer();
            int n = 9;
            for (int i = 1; i <= n; i++) {
                send(a, submit(300 + i, 170 + i));
            }
            java.util.Set<String> running = new java.util.HashSet<>();
            List<Long> aDone = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (running.size() < 3) { // three of A's jobs at once: the gateway counts three live workers
                assertTrue(System.nanoTime() < deadline, "never three of A's jobs at once: " + running);
                Message m = receive(a);
                if (m instanceof Progress p) {
                    running.add(p.job());
                } else if (m instanceof Done d) {
                    aDone.add(d.req());
                    running.clear(); // count jobs running together, not one after another
                }
            }
            int doneBefore = aDone.size();
            send(b, submit(400, 180));
            Message end = last(b, 400, new ArrayList<>());
            assertInstanceOf(Done.class, end, end.toString());
            ZMsg msg;
            while ((msg = ZMsg.recvMsg(a, ZMQ.DONTWAIT)) != null) {
                if (decode(msg) instanceof Done d) {
                    aDone.add(d.req());
                }
            }
            // B's job is published first at the first free worker: before it finish at most the three jobs running when
            // it came, and the two that may go out in the same turn as B's (the three running ones end together), which
            // start beside B's and may end a moment before it. A first-in first-out queue would finish all nine first.
            assertTrue(aDone.size() - doneBefore <= 5, "A's jobs done before B's single one: "
                    + aDone.subList(doneBefore, aDone.size()));
            while (aDone.size() < n) { // let A's jobs finish before the extra workers stop
                if (receive(a) instanceof Done d) {
                    aDone.add(d.req());
                }
            }
        } finally {
            cluster.stopWorker("extra1");
            cluster.stopWorker("extra2");
            Thread.sleep(2_000); // the gateway reads the live workers once a second: back to one for the other tests
        }
    }

    @Test
    void aClientWithOneJobWaitsForAtMostTheRunningJob() {
        ZMQ.Socket a = dealer();
        ZMQ.Socket b = dealer();
        for (int i = 1; i <= 3; i++) {
            send(a, submit(100 + i, 70 + i));
        }
        List<Message> aSeen = new ArrayList<>();
        until(a, Progress.class, aSeen); // A's first job is running
        send(b, submit(200, 80));
        List<Message> bSeen = new ArrayList<>();
        Message end = last(b, 200, bSeen);
        assertInstanceOf(Done.class, end, end.toString());
        // When B's only job is done, A has finished at most its first (the one that was running).
        List<Long> aDone = new ArrayList<>();
        for (Message m : aSeen) {
            if (m instanceof Done d) {
                aDone.add(d.req());
            }
        }
        ZMsg msg;
        while ((msg = ZMsg.recvMsg(a, ZMQ.DONTWAIT)) != null) {
            if (decode(msg) instanceof Done d) {
                aDone.add(d.req());
            }
        }
        assertTrue(aDone.size() <= 1 && (aDone.isEmpty() || aDone.get(0) == 101),
                "A's jobs done before B's single one: " + aDone);
        for (int left = 3 - aDone.size(); left > 0; ) { // let A's jobs finish so the worker is idle again
            Message m = receive(a);
            if (m instanceof Done) {
                left--;
            }
            assertNotNull(m);
        }
    }
}
