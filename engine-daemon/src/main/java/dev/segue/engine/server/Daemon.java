package dev.segue.engine.server;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Submit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The resident service, as three threads that never wait on each other's slow work: the socket thread owns the
 * ROUTER (ZeroMQ sockets are not thread-safe) and answers what is answered from memory (hello, heartbeat, the
 * lists); the admission thread ({@link Admission}) turns submit, extend, cancel and fetch into jobs and answers,
 * touching the disk; the worker ({@link JobRunner}) runs one job at a time from a queue that is fair across
 * clients. Everything sent goes through the {@link Outbox}, which the socket thread empties.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    public static final String VERSION = "0.1.0";
    private static final long POLL_MILLIS = 100;
    /** Requests waiting for the admission thread, all clients together, before more are answered QUEUE_FULL. */
    private static final int MAX_ADMISSIONS_WAITING = 64;

    private final String endpoint;
    private final CurveSecurity curve;
    private final ResultStore store;
    private final Engines engines;
    private final FairQueue<Job> queue;
    private final Outbox outbox = new Outbox();
    private final Replies replies;
    private final Admission admission;
    private final BadMessageLog badMessages = new BadMessageLog(LOG);
    private final ThreadPoolExecutor admissions = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_ADMISSIONS_WAITING), r -> {
                Thread t = new Thread(r, "segue-admission");
                t.setDaemon(true);
                return t;
            });
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile Retention retention = Retention.KEEP_ALL;
    private static final long EXPIRE_EVERY_NANOS = 60_000_000_000L;
    private long lastExpiry = System.nanoTime() - EXPIRE_EVERY_NANOS;
    private volatile boolean running = true;
    private volatile String boundEndpoint;
    private volatile RuntimeException failure;
    private Thread worker;
    private JobRunner runner;
    private final DaemonStats stats = new DaemonStats();

    public Daemon(String endpoint, ResultStore store, ContinuationEngine engine, int queuedPerClient) {
        this(endpoint, store, List.of(engine), queuedPerClient, null);
    }

    public Daemon(String endpoint, ResultStore store, ContinuationEngine engine, int queuedPerClient,
                  CurveSecurity curve) {
        this(endpoint, store, List.of(engine), queuedPerClient, curve);
    }

    /**
     * With {@code curve} set, every client must hold an allowed CurveZMQ key, on loopback too. Each engine is
     * one prior, loaded once; their names must differ.
     */
    public Daemon(String endpoint, ResultStore store, List<ContinuationEngine> priors, int queuedPerClient,
                  CurveSecurity curve) {
        this.engines = new Engines(priors);
        if (curve == null) {
            requireLoopback(endpoint);
        }
        this.curve = curve;
        this.endpoint = endpoint;
        this.store = store;
        this.queue = new FairQueue<>(queuedPerClient);
        this.replies = new Replies(outbox, store);
        this.admission = new Admission(engines, store, queue, replies);
    }

    /** Sets what the result store keeps; applied at start and once a minute, on the admission thread. */
    public Daemon retention(Retention policy) {
        this.retention = policy;
        return this;
    }

    private void expireNowAndThen() {
        if (retention.equals(Retention.KEEP_ALL) || System.nanoTime() - lastExpiry < EXPIRE_EVERY_NANOS) {
            return;
        }
        lastExpiry = System.nanoTime();
        try {
            admissions.execute(() -> {
                try {
                    List<String> expired = store.expire(retention, System.currentTimeMillis());
                    if (!expired.isEmpty()) {
                        LOG.info("retention: deleted the takes of {} jobs: {}", expired.size(),
                                expired.size() > 20 ? expired.subList(0, 20) + "..." : expired);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("retention: could not delete expired takes", e);
                }
            });
        } catch (RejectedExecutionException busy) {
            lastExpiry = 0; // try again on the next turn
        }
    }

    /** Non-negotiable 7: local by default, and a remote listener only with CurveZMQ. */
    public static void requireLoopback(String endpoint) {
        String rest = endpoint.startsWith("tcp://") ? endpoint.substring(6) : null;
        int colon = rest == null ? -1 : rest.lastIndexOf(':');
        String host = colon < 0 ? "" : rest.substring(0, colon);
        if (!(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) {
            throw new IllegalArgumentException("refusing to listen on " + endpoint + ": without CurveZMQ keys only "
                    + "tcp:// on loopback is allowed; give --curve-keys DIR for a remote listener");
        }
    }

    /** Serves until {@link #close()}; call on a thread of its own. */
    public void serve() {
        runner = new JobRunner(queue, store, admission.live, replies, () -> running);
        worker = new Thread(runner::work, "segue-jobs");
        worker.setDaemon(true);
        worker.start();
        // The socket thread's answers are short and must not wait behind the model's work for a core. Where the JVM
        // maps Java priorities to the system's (the launcher's -XX:ThreadPriorityPolicy=1, as root, on Linux) this is
        // nice -5; elsewhere it changes nothing. The job thread stays at the normal priority: lowered, it lost its
        // share of the cores to every other process (a first preview 4.8 s after submit instead of under 1 s on this
        // shared machine).
        Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
        outbox.flushedBy(Thread.currentThread());
        try (ZContext context = new ZContext(); ZAuth auth = curve == null ? null : new ZAuth(context)) {
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
            LOG.info("segue daemon {} listening on {} with priors {}", VERSION, endpoint, engines.names());
            ZMQ.Poller poller = context.createPoller(2);
            poller.register(router, ZMQ.Poller.POLLIN);
            poller.register(outbox.wakeChannel(), ZMQ.Poller.POLLIN);
            while (running && !Thread.currentThread().isInterrupted()) {
                poller.poll(POLL_MILLIS);
                ZMsg msg;
                while ((msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT)) != null) {
                    receive(msg);
                    outbox.flush(router); // replies go out as they are made: a burst never piles them all up
                }
                outbox.flush(router);
                badMessages.summarise();
                expireNowAndThen();
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

    private void receive(ZMsg msg) {
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
        LOG.debug("received {} req {}", m.type().wire(), m.req());
        try {
            handle(client, m);
        } catch (ProtocolException e) {
            refused(client, m, e);
        } catch (IOException | RuntimeException e) {
            LOG.error("failed to handle {}", m.type().wire(), e);
            send(client, new ErrorReply(m.req(), null, ErrorCode.INTERNAL, "the daemon failed to answer: "
                    + e.getMessage()));
        }
    }

    private void refused(byte[] client, Message m, ProtocolException e) {
        badMessages.refused(client, m.type().wire(), m.req(), e.code(), e.text());
        send(client, new ErrorReply(m.req(), null, e.code(), e.text()));
    }

    private void handle(byte[] client, Message m) throws IOException {
        if (m instanceof Hello h) {
            send(client, new Capabilities(h.req(), VERSION, Bounds.PROTOCOL_VERSION, List.copyOf(engines.names()),
                    engines.presetInfos().stream().map(PresetInfo::name).distinct().toList(), limits()));
        } else if (m instanceof ListPriors l) {
            send(client, new Priors(l.req(), engines.all().stream().map(e -> new PriorInfo(e.priorName(), e.levels(),
                    e.sampleRate(), e.labels(), e.weightBytes(), e.loaded())).toList()));
        } else if (m instanceof ListPresets l) {
            send(client, new Presets(l.req(), engines.presetInfos()));
        } else if (m instanceof Heartbeat h) {
            send(client, new Heartbeat(h.req(), h.tMs()));
        } else if (m instanceof ListJobs l) {
            send(client, new Jobs(l.req(), JobListing.newestFirst(store.list(), Bounds.MAX_LIST_ENTRIES)));
        } else if (m instanceof GetStats g) {
            send(client, stats.snapshot(g.req(), store, queue.size(), runner == null ? 0 : runner.running(),
                    badMessages, outbox));
        } else if (m instanceof ListLabels l) {
            send(client, LabelPages.page(l, engines.named(l.prior()).labelNames(l.kind())));
        } else if (m instanceof Submit s) {
            admit(client, m, () -> admission.submit(client, s));
        } else if (m instanceof Extend e) {
            admit(client, m, () -> admission.extend(client, e));
        } else if (m instanceof Cancel c) {
            Job job = admission.live.get(c.job());
            Job.Cancel found = job == null ? null : job.cancel(client, c.req());
            if (found == Job.Cancel.ENDS_IT) {
                // Answered here and now, with no thread hop or disk write in between; the record follows on the
                // admission thread, ahead of any later fetch. The engine stops at its next check.
                replies.announceCancelled(job);
                admit(client, m, () -> admission.recordCancelled(job));
            } else if (found != Job.Cancel.RUNNER_ANSWERS) {
                admit(client, m, () -> admission.cancel(client, c));
            }
        } else if (m instanceof Fetch f) {
            admit(client, m, () -> admission.fetch(client, f));
        } else {
            send(client, new ErrorReply(m.req(), null, ErrorCode.BAD_MESSAGE,
                    "'" + m.type().wire() + "' is sent by the daemon, not to it"));
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Hands a request to the admission thread; answered QUEUE_FULL when too many already wait for it. */
    private void admit(byte[] client, Message m, Step step) {
        try {
            admissions.execute(() -> {
                try {
                    step.run();
                } catch (ProtocolException e) {
                    refused(client, m, e);
                } catch (IOException | RuntimeException e) {
                    LOG.error("failed to handle {}", m.type().wire(), e);
                    send(client, new ErrorReply(m.req(), null, ErrorCode.INTERNAL, "the daemon failed to answer: "
                            + e.getMessage()));
                }
            });
        } catch (RejectedExecutionException e) {
            send(client, new ErrorReply(m.req(), null, ErrorCode.QUEUE_FULL, "the daemon has "
                    + MAX_ADMISSIONS_WAITING + " requests waiting to be admitted; try again shortly"));
        }
    }

    private Limits limits() {
        long seconds = (long) engines.all().stream().mapToDouble(ContinuationEngine::maxContinuationSeconds).max()
                .orElse(1);
        return new Limits(Bounds.MAX_MESSAGE_BYTES, Bounds.MAX_AUDIO_SECONDS, Bounds.MAX_CANDIDATES,
                (int) Math.min(Bounds.MAX_LENGTH_BARS, Math.max(1, seconds / 2)), (int) Math.max(1, seconds),
                Outbox.MAX_UNREAD);
    }

    private void send(byte[] client, Message m) {
        outbox.add(client, m);
    }

    @Override
    public void close() {
        running = false;
        if (worker != null) {
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
