package dev.segue.engine.cluster;

import dev.segue.engine.server.Admission;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.JobListing;
import dev.segue.engine.server.JobRecord;
import dev.segue.engine.server.JobRequest;
import dev.segue.protocol.message.JobState;
import dev.segue.engine.server.Replies;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.MessageType;
import dev.segue.protocol.message.Submit;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

/**
 * The gateway's answers to the requests that touch jobs, made on the admission thread in the order the clients
 * sent them. A submit or extend is checked by the lone daemon's own {@link Admission} rules against the prior a
 * live worker announced, recorded, and queued at the gateway ({@link Dispatch}), which hands it to the workers
 * fairly across clients; cancel, fetch and list_jobs read and change the records; list_labels is asked of a worker
 * holding the prior.
 *
 * <p>A prior no live worker holds is refused at once with {@code UNKNOWN_PRIOR}, exactly as a lone daemon
 * refuses a prior it has not loaded: the gateway does not hold a request for a worker that may never come.
 * A job already accepted waits (at the gateway, then in the stream) for as long as it takes a worker for its
 * prior to come back.
 */
final class GatewayDesk {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterLink link;
    private final JobBook book;
    private final TakeStore store;
    private final Membership members;
    private final Relay relay;
    private final Dispatch dispatch;
    private final Replies replies;
    private final int outstandingPerClient;

    GatewayDesk(ClusterLink link, JobBook book, TakeStore store, Membership members, Relay relay, Dispatch dispatch,
                Replies replies, int outstandingPerClient) {
        this.link = link;
        this.book = book;
        this.store = store;
        this.members = members;
        this.relay = relay;
        this.dispatch = dispatch;
        this.replies = replies;
        this.outstandingPerClient = outstandingPerClient;
    }

    /** Whether a request goes to the desk (the rest the socket thread answers, or refuses). */
    static boolean takes(MessageType t) {
        return switch (t) {
            case SUBMIT, EXTEND, CANCEL, FETCH, LIST_JOBS, LIST_LABELS -> true;
            default -> false;
        };
    }

    void handle(byte[] client, Message m) throws IOException {
        if (m instanceof Submit s) {
            submit(client, s);
        } else if (m instanceof Extend e) {
            extend(client, e);
        } else if (m instanceof Cancel c) {
            cancel(client, c);
        } else if (m instanceof Fetch f) {
            fetch(client, f);
        } else if (m instanceof ListJobs l) {
            replies.send(client, new Jobs(l.req(), JobListing.newestFirst(book.list(), Bounds.MAX_LIST_ENTRIES)));
        } else if (m instanceof ListLabels l) {
            labels(client, l);
        } else {
            throw new IllegalArgumentException("the desk does not take '" + m.type() + "'");
        }
    }

    /** The prior a request names (none: the first), from the live workers' announcements; else UNKNOWN_PRIOR. */
    private ContinuationEngine prior(String name) {
        return members.view().engines().named(name);
    }

    private static String newJobId() {
        // Time first, so ids sort roughly by age; random after, so gateways (and restarts) never collide.
        return "j" + Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(RANDOM.nextLong() >>> 24, 36);
    }

    private void submit(byte[] client, Submit s) throws IOException {
        ContinuationEngine engine = prior(s.request().prior());
        Admission.check(engine, s);
        String id = newJobId();
        byte[] packed = Frames.pack(s);
        boolean inline = packed.length <= ClusterLink.INLINE_BYTES;
        enqueue(client, s.req(), newRecord(id, s.request().candidates(), JobRequest.of(engine.priorName(), s)),
                JobTicket.submit(id, engine.priorName(), inline ? packed : null), inline ? null : packed);
    }

    /** A finished take continued as a new job of one candidate, starting where the take ended. */
    private void extend(byte[] client, Extend e) throws IOException {
        JobRecord record = book.find(e.job()).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB,
                "no job " + e.job()));
        Admission.Extension x = Admission.plan(record, e);
        if (!store.exists(Names.stateOfTake(x.take().file()))) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "job: " + e.job() + " kept no model state to extend "
                    + "from (made by an older daemon or another engine)");
        }
        ContinuationEngine engine = prior(record.request().prior());
        String id = newJobId();
        enqueue(client, e.req(), newRecord(id, 1, x.summary()),
                JobTicket.extend(id, engine.priorName(), e.job(), e.candidate(), x.frames()), null);
    }

    private static JobRecord newRecord(String id, int candidates, JobRequest summary) {
        long now = System.currentTimeMillis();
        return new JobRecord(id, JobState.QUEUED, now, now, candidates, summary, List.of(), null, null, null,
                null);
    }

    /**
     * Record first, then follow, then accepted, then the gateway's queue: the record exists before any worker can
     * take the job, and accepted reaches the client before the job's first progress can.
     */
    private void enqueue(byte[] client, long req, JobRecord record, JobTicket ticket, byte[] bigPrime)
            throws IOException {
        String owner = new String(client, StandardCharsets.ISO_8859_1);
        if (relay.outstanding(owner) >= outstandingPerClient) {
            throw new ProtocolException(ErrorCode.QUEUE_FULL, "this client already has the most queued jobs allowed ("
                    + outstandingPerClient + ")");
        }
        if (bigPrime != null) {
            store.put(Names.primeObject(record.job()), bigPrime);
        }
        book.create(record);
        relay.open(record.job(), owner, client, req);
        replies.send(client, new Accepted(req, record.job()));
        try {
            dispatch.offer(owner, ticket);
        } catch (IOException | RuntimeException e) {
            String reason = "the cluster could not queue the job: " + e.getMessage();
            book.transition(record.job(), r -> JobBook.with(r, JobState.FAILED, r.takes(), reason, ErrorCode.INTERNAL));
            relay.settleNow(record.job());
        }
    }

    /**
     * As a lone daemon: a queued or running job ends with {@code error CANCELLED} to every attached client, then to
     * the canceller; a finished one is answered with its last message again.
     */
    private void cancel(byte[] client, Cancel c) throws IOException {
        if (book.find(c.job()).isEmpty()) {
            replies.send(client, new ErrorReply(c.req(), c.job(), ErrorCode.UNKNOWN_JOB, "no job " + c.job()));
            return;
        }
        relay.cancelling(c.job());
        JobBook.Outcome o;
        try {
            o = book.transition(c.job(), r -> JobBook.with(r, JobState.CANCELLED, r.takes(),
                    "cancelled by the client", null));
        } catch (IOException | RuntimeException e) {
            relay.notCancelled(c.job());
            throw e;
        }
        if (o.applied()) {
            dispatch.remove(c.job()); // not handed to a worker yet: it never will be
            link.nc.publish(Names.cancel(c.job()), new byte[0]); // a worker running it stops between two tokens
            relay.cancelled(c.job(), client, c.req());
        } else {
            relay.notCancelled(c.job());
            replies.sendFinal(client, c.req(), o.record());
        }
    }

    private void fetch(byte[] client, Fetch f) throws IOException {
        if (relay.attach(f.job(), client, f.req())) {
            replies.send(client, new Accepted(f.req(), f.job()));
            return;
        }
        JobRecord record = book.find(f.job()).orElse(null);
        if (record == null) {
            replies.send(client, new ErrorReply(f.req(), f.job(), ErrorCode.UNKNOWN_JOB, "no job " + f.job()));
        } else if (!record.state().isFinal()) { // accepted by another gateway, or by this one before a restart
            relay.open(f.job(), null, client, f.req());
            replies.send(client, new Accepted(f.req(), f.job()));
            relay.settleNow(f.job()); // it may have ended between the read and the follow
        } else {
            relay.answer(record, client, f.req());
        }
    }

    private void labels(byte[] client, ListLabels l) {
        ContinuationEngine engine = prior(l.prior());
        Message reply = Frames.unpackMessage(RemotePrior.askWorker(link.nc, engine.priorName(), new Headers(),
                Frames.pack(l)).getData());
        if (reply instanceof Labels page) {
            replies.send(client, new Labels(l.req(), page.prior(), page.kind(), page.total(), page.offset(), page.names()));
        } else if (reply instanceof ErrorReply e) {
            replies.send(client, new ErrorReply(l.req(), null, e.code(), e.text()));
        } else {
            throw new ProtocolException(ErrorCode.INTERNAL, "a worker answered list_labels with " + reply.type());
        }
    }
}
