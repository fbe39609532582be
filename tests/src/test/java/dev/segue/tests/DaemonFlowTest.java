package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.JobListener;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The daemon as a real process with the default prior, driven as an outside client would: every request is
 * answered exactly once (or refused in the documented way) under a burst and a fuzz run, its log cannot be forged
 * or flooded, its queue is round-robin, and a cancel arrives whether the job is encoding or sampling.
 */
class DaemonFlowTest {
    private static final int RATE = 44100;

    @TempDir
    static Path dir;
    private static DaemonProcess daemon;
    private static ZContext zmq;

    @BeforeAll
    static void start() throws Exception {
        daemon = new DaemonProcess(dir);
        daemon.start("daemon.log");
        zmq = new ZContext();
    }

    @AfterAll
    static void stop() throws Exception {
        zmq.close();
        daemon.close();
    }

    /**
     * A DEALER past hello. JeroMQ 0.6.0 leaves a few % of fresh outgoing connections stuck before the ZMTP
     * handshake (a Poller race, zeromq/jeromq PR #1022): the handshake timer, 30 s by default, is cut to 1 s, and
     * a connection whose hello goes unanswered for 2 s is replaced, as the product's client would redial.
     */
    private static ZMQ.Socket dealer() {
        for (int attempt = 1; attempt <= 5; attempt++) {
            ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setHandshakeIvl(1000);
            s.setReceiveTimeOut(2_000);
            s.connect(daemon.endpoint);
            send(s, ProtocolCodec.encode(new Hello(1, "flow-test", "1", 1)));
            ZMsg reply = ZMsg.recvMsg(s);
            if (reply != null) {
                assertInstanceOf(Capabilities.class, decode(reply));
                s.setReceiveTimeOut(30_000);
                return s;
            }
            s.close();
        }
        throw new AssertionError("five fresh connections got no answer to hello; the daemon's log ends:\n" + logTail());
    }

    private static void send(ZMQ.Socket s, List<byte[]> frames) {
        ZMsg msg = new ZMsg();
        frames.forEach(msg::add);
        msg.send(s);
    }

    private static Message receive(ZMQ.Socket s) {
        ZMsg msg = ZMsg.recvMsg(s);
        if (msg == null) {
            throw new AssertionError("no reply within 30 s; the daemon's log ends:\n" + logTail());
        }
        return decode(msg);
    }

    private static String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("daemon.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static Message decode(ZMsg msg) {
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        return ProtocolCodec.decode(frames);
    }

    @Test
    void tenThousandHeartbeatsReadEvery50AreEachAnsweredOnce() {
        ZMQ.Socket s = dealer();
        int n = 10_000;
        BitSet answered = new BitSet(n + 1);
        int[] refused = {0};
        java.util.function.Consumer<Message> count = m -> {
            int req = (int) m.req();
            assertTrue(req >= 1 && req <= n && !answered.get(req), "req " + req + " unexpected or answered twice");
            answered.set(req);
            if (m instanceof ErrorReply e) {
                assertEquals(ErrorCode.QUEUE_FULL, e.code(), e.text());
                refused[0]++;
            } else {
                assertEquals(new Heartbeat(req, req), m);
            }
        };
        for (int i = 1; i <= n; i++) {
            send(s, ProtocolCodec.encode(new Heartbeat(i, i)));
            if (i % 50 == 0) {
                ZMsg msg;
                while ((msg = ZMsg.recvMsg(s, ZMQ.DONTWAIT)) != null) {
                    count.accept(decode(msg));
                }
            }
        }
        while (answered.cardinality() < n) {
            count.accept(receive(s));
        }
        System.out.println("heartbeat burst: " + n + " answered once each, " + refused[0] + " of them QUEUE_FULL");
    }

    @Test
    void tenThousandMutatedMessagesGetOneAnswerEachInTheWiresWordsAndTheLogStaysShort() throws Exception {
        List<List<byte[]>> seeds = List.of(ProtocolCodec.encode(new Heartbeat(7, 123)),
                ProtocolCodec.encode(new Hello(8, "fuzz", "1", 1)), ProtocolCodec.encode(new ListJobs(9)),
                ProtocolCodec.encode(new ListPriors(10)), ProtocolCodec.encode(new ListPresets(11)),
                ProtocolCodec.encode(new Fetch(12, "no-such-job-fuzz")), ProtocolCodec.encode(new Cancel(13, "no-such-job-fuzz")));
        ZMQ.Socket s = dealer();
        Random random = new Random(17);
        int n = 10_000;
        int replies = 0;
        int errors = 0;
        for (int i = 0; i < n; i++) {
            List<byte[]> seed = seeds.get(random.nextInt(seeds.size()));
            byte[] header = seed.get(0).clone();
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                header[random.nextInt(header.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(8) == 0) {
                header = java.util.Arrays.copyOf(header, random.nextInt(header.length));
            }
            send(s, List.of(header.length == 0 ? new byte[] {(byte) 0xc1} : header));
            if (i % 50 == 49) {
                ZMsg msg;
                while ((msg = ZMsg.recvMsg(s, ZMQ.DONTWAIT)) != null) {
                    errors += check(decode(msg));
                    replies++;
                }
            }
        }
        while (replies < n) {
            errors += check(receive(s));
            replies++;
        }
        s.setReceiveTimeOut(500);
        assertEquals(null, ZMsg.recvMsg(s), "no message is answered twice");
        send(s, ProtocolCodec.encode(new Heartbeat(77, 77)));
        assertEquals(new Heartbeat(77, 77), receive(s), "the daemon keeps serving");
        String log = Files.readString(dir.resolve("daemon.log"));
        long badLines = log.lines().filter(l -> l.contains("bad message from client")).count();
        assertTrue(badLines <= 5 * 3, badLines + " bad-message lines for " + errors + " bad messages: not rate-limited");
        System.out.println("fuzz: " + n + " messages, " + replies + " replies (" + errors + " errors), " + badLines
                + " log lines about them");
    }

    /** Counts an error reply, checking its text uses the wire's words only. */
    private static int check(Message m) {
        if (!(m instanceof ErrorReply e)) {
            return 0;
        }
        for (String leak : List.of("Exception", "NEVER_USED", "java.", "org.msgpack", "ValueType")) {
            assertFalse(e.text().contains(leak), "'" + leak + "' in " + e.text());
        }
        return 1;
    }

    @Test
    void aMessageTypeWithANewlineCannotForgeALogLine() throws Exception {
        ZMQ.Socket s = dealer();
        // A header whose type holds a newline and a fake log line: {v:1, type:"x\n... job FORGED-1 done", req:5}
        byte[] type = "heartbeat\n[segue-jobs] INFO dev.segue.engine.server.JobRunner - job FORGED-1 done"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream h = new java.io.ByteArrayOutputStream();
        h.write(0x83);
        h.write(0xa1); h.write('v'); h.write(1);
        h.write(0xa4); h.write("type".getBytes());
        h.write(0xd9); h.write(type.length); h.write(type);
        h.write(0xa3); h.write("req".getBytes()); h.write(5);
        send(s, List.of(h.toByteArray()));
        ErrorReply e = assertInstanceOf(ErrorReply.class, receive(s));
        assertEquals(ErrorCode.BAD_MESSAGE, e.code());
        send(s, ProtocolCodec.encode(new Heartbeat(6, 6)));
        receive(s);
        Thread.sleep(200);
        String log = Files.readString(dir.resolve("daemon.log"));
        assertFalse(log.lines().anyMatch(l -> l.startsWith("[segue-jobs]") && l.contains("FORGED-1")),
                "a client wrote a line of its own into the log");
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

    @Test
    void aCancelArrivesWhileTheJobEncodesAndWhileItSamples() throws Exception {
        try (DaemonClient c = new DaemonClient(daemon.endpoint, Duration.ofSeconds(60))) {
            String prior = c.hello("cancels").priors().get(0);
            // Right after accepted: the long job is still resampling and encoding its prime.
            String encoding = c.submit(submit(prior, 16, 4, 1)).job();
            assertEquals(DaemonClient.CancelOutcome.CANCELLED, c.cancel(encoding));
            // Once it reports sampled tokens.
            String sampling = c.submit(submit(prior, 16, 4, 2)).job();
            RuntimeException sampled = new RuntimeException("sampling now");
            try {
                c.awaitJob(sampling, new JobListener() {
                    @Override
                    public void onProgress(Progress p) {
                        if (p.tokensDone() > 0 && p.etaMs() != Progress.ETA_UNKNOWN) {
                            throw sampled;
                        }
                    }
                }, Duration.ofSeconds(120));
            } catch (RuntimeException e) {
                assertTrue(e == sampled, "the job reached sampling: " + e);
            }
            assertEquals(DaemonClient.CancelOutcome.CANCELLED, c.cancel(sampling));
            // The engine is free again: a short job runs to the end.
            String next = c.submit(submit(prior, 0.2, 1, 3)).job();
            assertEquals(1, c.awaitJob(next, JobListener.NONE, Duration.ofSeconds(120)).takes().size());
        }
    }

    @Test
    void aClientWithOneJobWaitsForAtMostTheRunningJob() throws Exception {
        ZMQ.Socket a = dealer();
        ZMQ.Socket b = dealer();
        String prior;
        try (DaemonClient c = new DaemonClient(daemon.endpoint, Duration.ofSeconds(30))) {
            prior = c.hello("fair").priors().get(0);
        }
        for (int i = 1; i <= 3; i++) {
            Submit s = submit(prior, 0.3, 1, 10 + i);
            send(a, ProtocolCodec.encode(new Submit(100 + i, s.context(), s.request(), s.prime())));
        }
        Message first;
        do { // A's first job is running once it reports progress
            first = receive(a);
        } while (!(first instanceof Progress));
        Submit s = submit(prior, 0.3, 1, 20);
        send(b, ProtocolCodec.encode(new Submit(200, s.context(), s.request(), s.prime())));
        Message m;
        do {
            m = receive(b);
        } while (!(m instanceof Done) && !(m instanceof ErrorReply));
        assertInstanceOf(Done.class, m, m.toString());
        // When B's only job is done, A has finished at most its first (the one that was running).
        List<Long> aDone = new ArrayList<>();
        ZMsg msg;
        while ((msg = ZMsg.recvMsg(a, ZMQ.DONTWAIT)) != null) {
            Message x = decode(msg);
            if (x instanceof Done d) {
                aDone.add(d.req());
            }
        }
        assertTrue(aDone.size() <= 1 && (aDone.isEmpty() || aDone.get(0) == 101),
                "A's jobs done before B's single one: " + aDone);
        for (int left = 3 - aDone.size(); left > 0; ) { // let A's jobs finish so the daemon is idle again
            if (receive(a) instanceof Done) {
                left--;
            }
        }
    }
}
