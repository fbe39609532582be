package dev.segue.engine.server;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The client-facing side of a service that speaks the protocol: the ROUTER socket and the one thread that owns it,
 * the flow control of PROTOCOL.md §4 (a client with {@link Outbox#MAX_UNREAD} replies waiting is answered
 * {@code QUEUE_FULL}, past twice that dropped and counted), decoding and the error for a bad message, and the
 * admission thread that takes the requests that touch jobs (at most {@link #MAX_ADMISSIONS_WAITING} waiting, all
 * clients together, before more are answered {@code QUEUE_FULL}). The lone daemon and the cluster's gateway both
 * serve through it, so no client can tell them apart by how they treat it.
 */
public final class Front {
    /** Requests waiting for the admission thread, all clients together, before more are answered QUEUE_FULL. */
    static final int MAX_ADMISSIONS_WAITING = 64;
    private static final long POLL_MILLIS = 100;

    /** Answers one decoded request; a ProtocolException is the client's error, anything else the service's. */
    public interface Handler {
        void handle(byte[] client, Message m) throws IOException;
    }

    /** Work on the admission thread. */
    public interface Step {
        void run() throws IOException;
    }

    private final Logger log;
    private final Outbox outbox;
    private final BadMessageLog badMessages;
    private final ThreadPoolExecutor admissions = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_ADMISSIONS_WAITING), r -> {
                Thread t = new Thread(r, "segue-admission");
                t.setDaemon(true);
                return t;
            });
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile String boundEndpoint;
    private volatile RuntimeException failure;

    Front(Logger log, Outbox outbox, BadMessageLog badMessages) {
        this.log = log;
        this.outbox = outbox;
        this.badMessages = badMessages;
    }

    /** A front with an outbox and a bad-message log of its own, logging to {@code log}. */
    public Front(Logger log) {
        this(log, new Outbox(), new BadMessageLog(log));
    }

    /** The count of bad messages and unanswered requests, as the log rate-limits them. */
    BadMessageLog badMessages() {
        return badMessages;
    }

    /** Where any thread leaves a message for a client; the socket thread sends it. */
    public Outbox outbox() {
        return outbox;
    }

    public void send(byte[] client, Message m) {
        outbox.add(client, m);
    }

    /**
     * A ZeroMQ context whose I/O threads run at the socket thread's priority. Every reply the socket thread
     * sends is written to TCP by the context's I/O thread (and every request read by it), so at the normal
     * priority an answer waited behind the model's threads for a core twice, once each way: heartbeats took
     * tens of milliseconds at the 99th percentile on two busy cores. Where the system allows it they also get the
     * socket thread's real-time budget ({@link DeadlineBudget}). The threads are daemons, as JeroMQ's own.
     */
    public static ZContext urgentContext() {
        ZContext context = new ZContext();
        context.setThreadFactor((work, name) -> {
            Thread t = new Thread(() -> {
                DeadlineBudget.applyToCurrentThread();
                work.run();
            }, name);
            t.setDaemon(true);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        return context;
    }

    /**
     * Binds {@code endpoint} (with {@code curve}, every client must hold an allowed CurveZMQ key) and serves until
     * {@code running} turns false, on the calling thread: each request goes to {@code handler}, then
     * {@code eachTurn} runs (at least every 100 ms). {@code onBound} runs once the socket is bound.
     */
    public void serve(String endpoint, CurveSecurity curve, Handler handler, Runnable onBound, Runnable eachTurn,
                      BooleanSupplier running) {
        outbox.flushedBy(Thread.currentThread());
        try (ZContext context = urgentContext(); ZAuth auth = curve == null ? null : new ZAuth(context)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            // A reply ZeroMQ cannot queue is an error the outbox sees (and keeps the reply), never a silent drop.
            router.setRouterMandatory(true);
            if (curve != null) {
                // The authenticator must run before the bind, so no handshake is ever unchecked.
                auth.configureCurve(curve.allowedClients().toString());
                router.setZAPDomain("segue");
                router.setCurveServer(true);
                router.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.serverSecretZ85()));
            }
            // Oversized messages are dropped by ZeroMQ itself before they cost us memory (PROTOCOL.md §6).
            router.setMaxMsgSize(Bounds.MAX_MESSAGE_BYTES);
            if (!router.bind(endpoint)) {
                failure = new IllegalStateException("cannot listen on " + endpoint + ": "
                        + ZMQ.Error.findByCode(router.errno()));
                throw failure;
            }
            boundEndpoint = router.getLastEndpoint();
            bound.countDown();
            onBound.run();
            ZMQ.Poller poller = context.createPoller(2);
            poller.register(router, ZMQ.Poller.POLLIN);
            poller.register(outbox.wakeChannel(), ZMQ.Poller.POLLIN);
            while (running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
                poller.poll(POLL_MILLIS);
                ZMsg msg;
                while ((msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT)) != null) {
                    receive(msg, handler);
                    outbox.flush(router); // replies go out as they are made: a burst never piles them all up
                }
                outbox.flush(router);
                badMessages.summarise();
                eachTurn.run();
            }
        } finally {
            bound.countDown();
            admissions.shutdownNow();
            outbox.close();
        }
    }

    /**
     * Waits until the socket is bound and returns the address it is bound to (a wildcard port such as
     * tcp://127.0.0.1:* resolved); throws if binding failed.
     */
    public String awaitBound() throws InterruptedException {
        bound.await();
        if (failure != null) {
            throw failure;
        }
        return boundEndpoint;
    }

    private void receive(ZMsg msg, Handler handler) {
        byte[] client = msg.pop().getData();
        int unread = outbox.unread(client);
        if (unread >= 2 * Outbox.MAX_UNREAD) {
            badMessages.unanswered(client); // it reads nothing: no answer could reach it (PROTOCOL.md §4)
            return;
        }
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        Message m;
        try {
            m = ProtocolCodec.decode(frames);
        } catch (ProtocolException e) {
            badMessages.bad(client, e.code(), e.text());
            send(client, ErrorReply.of(e));
            return;
        }
        if (unread >= Outbox.MAX_UNREAD) {
            send(client, new ErrorReply(m.req(), null, ErrorCode.QUEUE_FULL, unread + " replies are waiting for this "
                    + "client to read them; read them before sending more (limit " + Outbox.MAX_UNREAD + ")"));
            return;
        }
        log.debug("received {} req {}", m.type().wire(), m.req());
        run(client, m, () -> handler.handle(client, m));
    }

    private void run(byte[] client, Message m, Step step) {
        try {
            step.run();
        } catch (ProtocolException e) {
            badMessages.refused(client, m.type().wire(), m.req(), e.code(), e.text());
            send(client, new ErrorReply(m.req(), null, e.code(), e.text()));
        } catch (IOException | RuntimeException e) {
            log.error("failed to handle {}", m.type().wire(), e);
            send(client, new ErrorReply(m.req(), null, ErrorCode.INTERNAL, "the daemon failed to answer: "
                    + e.getMessage()));
        }
    }

    /** Hands a request to the admission thread; answered QUEUE_FULL when too many already wait for it. */
    public void admit(byte[] client, Message m, Step step) {
        try {
            admissions.execute(() -> run(client, m, step));
        } catch (RejectedExecutionException e) {
            send(client, new ErrorReply(m.req(), null, ErrorCode.QUEUE_FULL, "the daemon has "
                    + MAX_ADMISSIONS_WAITING + " requests waiting to be admitted; try again shortly"));
        }
    }

    /** Runs housekeeping on the admission thread; false when it is too busy to take it now. */
    boolean execute(Runnable task) {
        try {
            admissions.execute(task);
            return true;
        } catch (RejectedExecutionException busy) {
            return false;
        }
    }
}
