package dev.segue.bridge.client;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Stats;
import dev.segue.protocol.message.Submit;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A session with the Segue daemon over one DEALER socket (PROTOCOL.md section 4). Replies are
 * matched by the {@code req} they echo, a job's messages by its job id. ZeroMQ connects lazily, so
 * a daemon that is not running shows up as a {@link DaemonException.Kind#TIMEOUT}, never a hang.
 *
 * <p>Not thread-safe: use one client per thread. Request ids count up from 1 per client.
 */
public final class DaemonClient implements AutoCloseable {
    public static final String DEFAULT_ENDPOINT = "tcp://127.0.0.1:5575";
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);
    /** The spec's advice: a heartbeat every 2 s, offline after 3 unanswered. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    static final int MAX_MISSED_HEARTBEATS = 3;
    static final String CLIENT_VERSION = "0.1.0";

    /** What {@link #cancel} found. */
    public enum CancelOutcome { CANCELLED, ALREADY_DONE }

    private final Duration replyTimeout;
    private final Duration heartbeatInterval;
    private final Mailbox mailbox;
    private long nextReq = 1;

    public DaemonClient() {
        this(DEFAULT_ENDPOINT, DEFAULT_REPLY_TIMEOUT);
    }

    public DaemonClient(String endpoint, Duration replyTimeout) {
        this(endpoint, replyTimeout, DEFAULT_HEARTBEAT_INTERVAL);
    }

    /**
     * @param replyTimeout      how long a request waits for its reply (and a send for queue space)
     * @param heartbeatInterval silence after which {@link #awaitJob} probes the daemon; it gives up
     *                          after {@value #MAX_MISSED_HEARTBEATS} unanswered probes
     */
    public DaemonClient(String endpoint, Duration replyTimeout, Duration heartbeatInterval) {
        this(endpoint, replyTimeout, heartbeatInterval, null);
    }

    /** @param curve keys for a daemon listening with CurveZMQ; null for a plain loopback daemon */
    public DaemonClient(String endpoint, Duration replyTimeout, Duration heartbeatInterval, CurveKeys curve) {
        this.replyTimeout = requirePositive(replyTimeout, "replyTimeout");
        this.heartbeatInterval = requirePositive(heartbeatInterval, "heartbeatInterval");
        this.mailbox = new Mailbox(Objects.requireNonNull(endpoint, "endpoint"), replyTimeout, curve);
    }

    /** Opens the session; fails unless the daemon speaks protocol version 1. */
    public Capabilities hello(String clientName) throws DaemonException {
        Capabilities c = request(new Hello(takeReq(), clientName, CLIENT_VERSION, Bounds.PROTOCOL_VERSION),
                Capabilities.class);
        if (c.protocol() != Bounds.PROTOCOL_VERSION) {
            throw DaemonException.badReply("daemon chose protocol " + c.protocol() + ", this client speaks only "
                    + Bounds.PROTOCOL_VERSION);
        }
        return c;
    }

    public List<PriorInfo> listPriors() throws DaemonException {
        return request(new ListPriors(takeReq()), Priors.class).priors();
    }

    public List<PresetInfo> listPresets() throws DaemonException {
        return request(new ListPresets(takeReq()), Presets.class).presets();
    }

    /** The daemon's most recent jobs, newest first (at most 128). */
    public List<JobInfo> listJobs() throws DaemonException {
        return request(new ListJobs(takeReq()), Jobs.class).jobs();
    }

    /** The daemon's memory, disk, queue and counters now. */
    public Stats stats() throws DaemonException {
        return request(new GetStats(takeReq()), Stats.class);
    }

    /** Names one client will collect from a list: far above a published list (~7900), far below memory trouble. */
    public static final int MAX_LABEL_NAMES = 1 << 20;

    /** One page of a prior's artist or genre names: at most {@code limit} (1..128) from {@code offset}. */
    public Labels labelsPage(String prior, LabelKind kind, long offset, int limit) throws DaemonException {
        Labels page = request(new ListLabels(takeReq(), prior, kind, offset, limit), Labels.class);
        if (!page.prior().equals(prior) || page.kind() != kind || page.offset() != offset) {
            throw DaemonException.badReply("asked for " + kind.wire() + "s of '" + prior + "' from " + offset + ", got "
                    + page.kind().wire() + "s of '" + page.prior() + "' from " + page.offset());
        }
        return page;
    }

    /**
     * A prior's whole artist or genre list, in its order, fetched page by page (a published list is thousands of
     * names, one message carries 128). Empty when the prior ships no list of that kind.
     */
    public List<String> listLabels(String prior, LabelKind kind) throws DaemonException {
        List<String> names = new java.util.ArrayList<>();
        long total = -1;
        do {
            Labels page = labelsPage(prior, kind, names.size(), Bounds.MAX_LIST_ENTRIES);
            if (total < 0) {
                total = page.total();
                if (total > MAX_LABEL_NAMES) {
                    throw DaemonException.badReply("'" + prior + "' lists " + total + " " + kind.wire() + "s, more than "
                            + MAX_LABEL_NAMES + " this client collects");
                }
            } else if (page.total() != total) {
                throw DaemonException.badReply("the " + kind.wire() + " list of '" + prior + "' changed while it was read");
            }
            if (page.names().isEmpty() && names.size() < total) {
                throw DaemonException.badReply("an empty page at " + names.size() + " of " + total + " " + kind.wire() + "s");
            }
            names.addAll(page.names());
        } while (names.size() < total);
        return names;
    }

    /**
     * Queues a job. The submit's own {@code req} is replaced by this client's next id, so callers
     * can build it with any req (0 is fine). Throws the daemon's error (e.g. UNKNOWN_PRIOR) as is.
     */
    public Accepted submit(Submit submit) throws DaemonException {
        return request(new Submit(takeReq(), submit.context(), submit.request(), submit.prime()), Accepted.class);
    }

    /** Continues one finished candidate as a new job (await it like a submit); only the new audio comes back. */
    public Accepted extend(String jobId, int candidate, Length length) throws DaemonException {
        return request(new Extend(takeReq(), jobId, candidate, length), Accepted.class);
    }

    /**
     * Reads the job's messages until {@code done}: progress and previews go to the listener,
     * result chunks are reassembled into one take per candidate. Throws the job's error (e.g.
     * CANCELLED), or TIMEOUT when the job is not done by {@code timeout} or the daemon stops
     * answering heartbeats; the job may then still finish on the daemon and be fetched later.
     */
    public JobResult awaitJob(String jobId, JobListener listener, Duration timeout) throws DaemonException {
        return collect(jobId, -1, listener, timeout);
    }

    /** The takes of a finished job (re-sent by the daemon from its store), within the reply timeout. */
    public JobResult fetch(String jobId) throws DaemonException {
        return fetch(jobId, JobListener.NONE, replyTimeout);
    }

    /** Like {@link #fetch(String)}; a running job is re-attached and awaited up to {@code timeout}. */
    public JobResult fetch(String jobId, JobListener listener, Duration timeout) throws DaemonException {
        long req = takeReq();
        mailbox.send(new Fetch(req, jobId));
        // An unknown job's error may carry only the fetch's req, not the job id.
        return collect(jobId, req, listener, timeout);
    }

    /** Stops a queued or running job; a finished job is left as it is. UNKNOWN_JOB is thrown. */
    public CancelOutcome cancel(String jobId) throws DaemonException {
        long req = takeReq();
        mailbox.send(new Cancel(req, jobId));
        Message m = receiveReply(req, Done.class, "cancel");
        if (m instanceof Done) {
            return CancelOutcome.ALREADY_DONE;
        }
        ErrorReply e = (ErrorReply) m;
        if (e.code() != ErrorCode.CANCELLED) {
            throw DaemonException.of(e);
        }
        mailbox.discard(k -> jobId.equals(jobOf(k))); // the job will send nothing more; drop what it left
        return CancelOutcome.CANCELLED;
    }

    /** One heartbeat round trip, measured on this client's clock. */
    public Duration heartbeat() throws DaemonException {
        long req = takeReq();
        long sent = System.nanoTime();
        long tMs = mailbox.monotonicMs();
        Heartbeat h = request(new Heartbeat(req, tMs), Heartbeat.class);
        if (h.tMs() != tMs) {
            throw DaemonException.badReply("heartbeat answered with t_ms " + h.tMs() + ", sent " + tMs);
        }
        return Duration.ofNanos(System.nanoTime() - sent);
    }

    @Override
    public void close() {
        mailbox.close();
    }

    private <T extends Message> T request(Message m, Class<T> replyType) throws DaemonException {
        mailbox.send(m);
        Message reply = receiveReply(m.req(), replyType, m.type().wire());
        if (reply instanceof ErrorReply e) {
            throw DaemonException.of(e);
        }
        return replyType.cast(reply);
    }

    /** The reply of type {@code replyType} or the error that echoes {@code req}. */
    private Message receiveReply(long req, Class<? extends Message> replyType, String what) throws DaemonException {
        Message m = mailbox.receive(r -> r.req() == req && (replyType.isInstance(r) || r instanceof ErrorReply),
                System.nanoTime() + replyTimeout.toNanos());
        if (m == null) {
            throw DaemonException.timeout("no reply to '" + what + "' from the daemon at " + mailbox.endpoint()
                    + " within " + seconds(replyTimeout) + " (is it running? ./segue daemon)");
        }
        return m;
    }

    private JobResult collect(String jobId, long fetchReq, JobListener listener, Duration timeout)
            throws DaemonException {
        ResultAssembler results = new ResultAssembler(jobId);
        Predicate<Message> concerns = m -> m instanceof Heartbeat || jobId.equals(jobOf(m))
                || (fetchReq >= 0 && m.req() == fetchReq);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long interval = heartbeatInterval.toNanos();
        long heardSeen = start;
        int beatsSent = 0;
        while (true) {
            long heard = Math.max(start, mailbox.lastHeardNanos());
            if (heard != heardSeen) { // the daemon spoke: it is alive, start counting again
                heardSeen = heard;
                beatsSent = 0;
            }
            Message m = mailbox.receive(concerns, Math.min(deadline, heard + (beatsSent + 1) * interval));
            if (m == null) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw DaemonException.timeout("job " + jobId + " not done within " + seconds(timeout)
                            + "; it may still finish on the daemon (./segue fetch " + jobId + ")");
                }
                if (mailbox.lastHeardNanos() > heardSeen) {
                    continue;
                }
                if (beatsSent == MAX_MISSED_HEARTBEATS) {
                    throw DaemonException.timeout("the daemon at " + mailbox.endpoint() + " stopped answering ("
                            + MAX_MISSED_HEARTBEATS + " heartbeats) while job " + jobId + " was running");
                }
                mailbox.send(new Heartbeat(takeReq(), mailbox.monotonicMs()));
                beatsSent++;
                continue;
            }
            if (m instanceof Progress p) {
                listener.onProgress(p);
            } else if (m instanceof Preview p) {
                listener.onPreview(p);
            } else if (m instanceof Result r) {
                results.add(r);
            } else if (m instanceof Done d) {
                return results.finish(d);
            } else if (m instanceof ErrorReply e) {
                throw DaemonException.of(e);
            }
            // accepted (a fetch re-attaching to a running job) and heartbeat answers need nothing more
        }
    }

    /** The job a daemon message is about, or null. */
    static String jobOf(Message m) {
        if (m instanceof Accepted a) {
            return a.job();
        } else if (m instanceof Progress p) {
            return p.job();
        } else if (m instanceof Preview p) {
            return p.job();
        } else if (m instanceof Result r) {
            return r.job();
        } else if (m instanceof Done d) {
            return d.job();
        } else if (m instanceof ErrorReply e) {
            return e.job();
        }
        return null;
    }

    /** Next request id: 1..2^32-1, wrapping past 0 (0 means "not tied to a request"). */
    private long takeReq() {
        long r = nextReq;
        nextReq = r == Bounds.MAX_UINT32 ? 1 : r + 1;
        return r;
    }

    private static Duration requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
