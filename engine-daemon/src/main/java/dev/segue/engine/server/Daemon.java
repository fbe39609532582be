package dev.segue.engine.server;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.Submit;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident service, as three threads that never wait on each other's slow work: the socket thread owns the
 * ROUTER (ZeroMQ sockets are not thread-safe; {@link Front}, which the cluster's gateway serves through too) and
 * answers what is answered from memory (hello, heartbeat, the lists); the admission thread ({@link Admission}) turns submit, extend, cancel and fetch into jobs and answers,
 * touching the disk; the job thread ({@link JobRunner}) runs one job at a time from a queue that is fair across
 * clients. Everything sent goes through the {@link Outbox}, which the socket thread empties.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    public static final String VERSION = "0.1.0";

    private final String endpoint;
    private final CurveSecurity curve;
    private final ResultStore store;
    private final Engines engines;
    private final FairQueue<Job> queue;
    private final Outbox outbox = new Outbox();
    private final Replies replies;
    private final Admission admission;
    private final BadMessageLog badMessages = new BadMessageLog(LOG);
    /** The socket, flow control and the admission thread, shared with the cluster's gateway. */
    private final Front front = new Front(LOG, outbox, badMessages);
    private volatile Retention retention = Retention.KEEP_ALL;
    private static final long EXPIRE_EVERY_NANOS = 60_000_000_000L;
    private long lastExpiry = System.nanoTime() - EXPIRE_EVERY_NANOS;
    private volatile boolean running = true;
    /**
     * How long {@link #serve()}, once closed, waits for the running job to leave the engine. A job stops at its next
     * step, well within this; a stretch that cannot stop (a long prefill) may not.
     */
    private static final long JOB_STOP_SECONDS = 20;
    private volatile Thread jobThread;
    private volatile JobRunner runner;
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
        boolean taken = front.execute(() -> {
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
        if (!taken) {
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

    /**
     * Serves until {@link #close()}; call on a thread of its own. Returns once the job thread has stopped too, or
     * after {@link #JOB_STOP_SECONDS} if it has not (see {@link #jobsStopped()}).
     */
    public void serve() {
        runner = new JobRunner(queue, store, admission.live, replies, () -> running);
        jobThread = new Thread(runner::work, "segue-jobs");
        jobThread.setDaemon(true);
        jobThread.start();
        // The socket thread's answers are short and must not wait behind the model's work for a core. Where the JVM
        // maps Java priorities to the system's (the launcher's -XX:ThreadPriorityPolicy=1, as root, on Linux) this is
        // nice -5; elsewhere it changes nothing. The job thread stays at the normal priority: lowered, it lost its
        // share of the cores to every other process (a first preview 4.8 s after submit instead of under 1 s on this
        // shared machine).
        // Where the system allows it, the socket thread also gets a real-time budget (DeadlineBudget): it then
        // runs as soon as a request arrives, ahead of the job's threads, and never takes more than its budget.
        Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
        DeadlineBudget.applyToCurrentThread();
        try {
            front.serve(endpoint, curve, this::handle,
                    () -> LOG.info("segue daemon {} listening on {} with priors {}", VERSION, endpoint, engines.names()),
                    this::expireNowAndThen, () -> running);
        } finally {
            // Closed, or the socket failed: the job thread stops too, and the caller may free the models only once
            // it has (jobsStopped).
            running = false;
            try {
                jobThread.join(TimeUnit.SECONDS.toMillis(JOB_STOP_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * True once the job thread has left the engine, so the models can be closed. The caller of {@link #serve()}
     * must not free the models while this is false: the job thread reads their memory until it stops.
     */
    public boolean jobsStopped() {
        Thread t = jobThread;
        return t == null || !t.isAlive();
    }

    /**
     * Waits until the socket is bound and returns the address it is bound to (a wildcard port such as
     * tcp://127.0.0.1:* resolved); throws if binding failed.
     */
    public String awaitBound() throws InterruptedException {
        return front.awaitBound();
    }

    private void handle(byte[] client, Message m) throws IOException {
        if (m instanceof Hello h) {
            send(client, engines.capabilities(h.req(), VERSION));
        } else if (m instanceof ListPriors l) {
            send(client, engines.priors(l.req()));
        } else if (m instanceof ListPresets l) {
            send(client, new Presets(l.req(), engines.presetInfos()));
        } else if (m instanceof Heartbeat h) {
            send(client, new Heartbeat(h.req(), h.tMs()));
        } else if (m instanceof ListJobs l) {
            send(client, new Jobs(l.req(), store.newest(Bounds.MAX_LIST_ENTRIES)));
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
            } else if (job == null && store.find(c.job()).isEmpty()) {
                // No job of that id was ever made (a job's record is stored before its id is sent to anyone):
                // answered here, without waiting for the admission thread behind a running job.
                send(client, new ErrorReply(c.req(), c.job(), ErrorCode.UNKNOWN_JOB, "no job " + c.job()));
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

    /** Hands a request to the admission thread; answered QUEUE_FULL when too many already wait for it. */
    private void admit(byte[] client, Message m, Front.Step step) {
        front.admit(client, m, step);
    }

    private void send(byte[] client, Message m) {
        outbox.add(client, m);
    }

    @Override
    public void close() {
        running = false;
        if (jobThread != null) {
            try {
                jobThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (jobThread.isAlive()) {
                // The engine is in a stretch it cannot leave yet (a long encode or decode on a busy machine). The
                // process is about to exit, so the job is recorded as stopped by the shutdown here; otherwise the
                // next start would find it still running and call it stopped by a crash.
                runner.recordShutdown();
            }
        }
    }
}
