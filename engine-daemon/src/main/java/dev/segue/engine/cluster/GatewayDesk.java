package dev.segue.engine.cluster;

import dev.segue.engine.server.JobListing;
import dev.segue.engine.server.JobRecord;
import dev.segue.engine.server.JobState;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Submit;
import io.nats.client.JetStreamApiException;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's answers to the requests that touch jobs, each made on one thread in the order the clients
 * sent them: submit and extend become job records and job messages on their prior's subject; cancel, fetch
 * and list_jobs read and change the records; list_labels is asked of a worker holding the prior.
 *
 * <p>A prior no live worker holds is refused at once with {@code UNKNOWN_PRIOR}, exactly as a lone daemon
 * refuses a prior it has not loaded: the gateway does not hold a request for a worker that may never come.
 * A job already accepted waits in the stream for as long as it takes a worker for its prior to come back.
 */
final class GatewayDesk {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterLink link;
    private final JobBook book;
    private final TakeStore store;
    private final Membership members;
    private final Relay relay;
    private final Outbox out;
    private final int outstandingPerClient;

    GatewayDesk(ClusterLink link, JobBook book, TakeStore store, Membership members, Relay relay, Outbox out,
                int outstandingPerClient) {
        this.link = link;
        this.book = book;
        this.store = store;
        this.members = members;
        this.relay = relay;
        this.out = out;
        this.outstandingPerClient = outstandingPerClient;
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
            out.send(client, new Jobs(l.req(), JobListing.newestFirst(book.list(), Bounds.MAX_LIST_ENTRIES)));
        } else if (m instanceof ListLabels l) {
            labels(client, l);
        } else {
            throw new IllegalArgumentException("the desk does not take '" + m.type() + "'");
        }
    }

    private RemotePrior prior(String name) {
        Membership.View view = members.view();
        RemotePrior p = name == null || name.isEmpty() ? (view.priors().isEmpty() ? null : view.priors().get(0))
                : view.prior(name);
        if (p == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRIOR, "no live worker holds prior '" + name + "'; the "
                    + "live workers hold " + view.priors().stream().map(RemotePrior::priorName).toList());
        }
        return p;
    }

    private static String newJobId() {
        // Time first, so ids sort roughly by age; random after, so gateways (and restarts) never collide.
        return "j" + Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(RANDOM.nextLong() >>> 24, 36);
    }

    private void submit(byte[] client, Submit s) throws IOException {
        RemotePrior engine = prior(s.request().prior());
        SubmitCheck.check(engine, s);
        String owner = owner(client);
        String id = newJobId();
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("prior", engine.priorName());
        summary.put("length", s.request().length().key() + "=" + s.request().length().value());
        summary.put("seed", Long.toUnsignedString(s.request().seed()));
        summary.put("sample_rate", Integer.toString(s.context().sampleRate()));
        summary.put("prime_start_sample", Long.toString(s.context().primeStartSample()));
        summary.put("prime_frames", Integer.toString(s.prime().frames()));
        summary.put("tempo_bpm", Double.toString(s.context().tempoBpm()));
        summary.put("quality", s.request().quality().wire());
        summary.put("time_sig", s.context().timeSigNum() + "/" + s.context().timeSigDen());
        byte[] packed = Frames.pack(s);
        boolean inline = packed.length <= ClusterLink.INLINE_BYTES;
        enqueue(client, s.req(), owner, newRecord(id, s.request().candidates(), summary),
                JobTicket.submit(id, engine.priorName(), inline ? packed : null), inline ? null : packed);
    }

    /** A finished take continued as a new job of one candidate, starting where the take ended. */
    private void extend(byte[] client, Extend e) throws IOException {
        JobRecord record = book.find(e.job()).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB,
                "no job " + e.job()));
        if (record.state() != JobState.DONE) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "job: " + e.job() + " is "
                    + record.state().name().toLowerCase(java.util.Locale.ROOT) + "; only a finished job extends");
        }
        JobRecord.Take take = record.takes().stream().filter(t -> t.candidate() == e.candidate()).findFirst()
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB, "candidate: job " + e.job()
                        + " has no candidate " + e.candidate()));
        if (!store.exists(Names.stateOfTake(take.file()))) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "job: " + e.job() + " kept no model state to extend "
                    + "from (made by another engine)");
        }
        Map<String, String> r = record.request();
        RemotePrior engine = prior(r.get("prior"));
        int rate = take.sampleRate();
        double seconds;
        if (e.length() instanceof Length.Bars bars) {
            double bpm = Double.parseDouble(r.getOrDefault("tempo_bpm", "120"));
            String[] sig = r.getOrDefault("time_sig", "4/4").split("/");
            seconds = new DawContext(rate, bpm, Integer.parseInt(sig[0]), Integer.parseInt(sig[1]), 0, 0.0)
                    .secondsForBars(bars.bars());
        } else {
            seconds = ((Length.Seconds) e.length()).seconds();
        }
        long frames = (long) Math.floor(seconds * rate + 0.5);
        if (frames < 1 || (take.frames() + frames) > (long) Bounds.MAX_CONTINUATION_SECONDS * rate) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "length: the take would last " + (take.frames() / (double) rate
                    + seconds) + " s; a take lasts at most " + Bounds.MAX_CONTINUATION_SECONDS + " s");
        }
        long start = Long.parseLong(r.getOrDefault("prime_start_sample", "0"))
                + Long.parseLong(r.getOrDefault("prime_frames", "0")) + take.frames();
        String id = newJobId();
        Map<String, String> summary = new LinkedHashMap<>(r);
        summary.put("extends", e.job() + ":" + e.candidate());
        summary.put("length", e.length().key() + "=" + e.length().value());
        summary.put("prime_start_sample", Long.toString(start));
        summary.put("prime_frames", "0");
        enqueue(client, e.req(), owner(client), newRecord(id, 1, summary),
                JobTicket.extend(id, engine.priorName(), e.job(), e.candidate(), frames), null);
    }

    private static JobRecord newRecord(String id, int candidates, Map<String, String> summary) {
        long now = System.currentTimeMillis();
        return new JobRecord(id, JobState.QUEUED, now, now, candidates, Map.copyOf(summary), List.of(), null, null, null,
                null);
    }

    /**
     * Record first, then follow, then accepted, then the job message: the record exists before any worker can
     * take the job, and accepted reaches the client before the job's first progress can.
     */
    private void enqueue(byte[] client, long req, String owner, JobRecord record, JobTicket ticket, byte[] bigPrime)
            throws IOException {
        if (relay.outstanding(owner) >= outstandingPerClient) {
            throw new ProtocolException(ErrorCode.QUEUE_FULL, "this client already has the most queued jobs allowed ("
                    + outstandingPerClient + ")");
        }
        if (bigPrime != null) {
            store.put(Names.primeObject(record.job()), bigPrime);
        }
        book.create(record);
        relay.open(record.job(), owner, client, req);
        out.send(client, new Accepted(req, record.job()));
        try {
            link.js.publish(ticket.toMessage());
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            String reason = "the cluster could not queue the job: " + e.getMessage();
            book.transition(record.job(), r -> JobBook.with(r, JobState.FAILED, r.takes(), reason));
            relay.failed(record.job(), reason);
        }
    }

    private void cancel(byte[] client, Cancel c) throws IOException {
        if (book.find(c.job()).isEmpty()) {
            out.send(client, new ErrorReply(c.req(), c.job(), ErrorCode.UNKNOWN_JOB, "no job " + c.job()));
            return;
        }
        JobBook.Outcome o = book.transition(c.job(), r -> JobBook.with(r, JobState.CANCELLED, r.takes(),
                "cancelled by the client"));
        if (o.applied()) {
            link.nc.publish(Names.cancel(c.job()), new byte[0]); // a worker running it stops between two tokens
            relay.cancelled(c.job(), client, c.req());
        } else {
            out.send(client, Relay.finalError(c.req(), o.record()));
        }
    }

    private void fetch(byte[] client, Fetch f) throws IOException {
        if (relay.attach(f.job(), client, f.req())) {
            out.send(client, new Accepted(f.req(), f.job()));
            return;
        }
        JobRecord record = book.find(f.job()).orElse(null);
        if (record == null) {
            out.send(client, new ErrorReply(f.req(), f.job(), ErrorCode.UNKNOWN_JOB, "no job " + f.job()));
        } else if (!record.state().isFinal()) { // accepted by another gateway, or by this one before a restart
            relay.open(f.job(), null, client, f.req());
            out.send(client, new Accepted(f.req(), f.job()));
        } else {
            relay.answer(record, client, f.req());
        }
    }

    private void labels(byte[] client, ListLabels l) {
        RemotePrior engine = prior(l.prior());
        Message reply = Frames.unpackMessage(RemotePrior.askWorker(link.nc, engine.priorName(), new Headers(),
                Frames.pack(l)).getData());
        if (reply instanceof Labels page) {
            out.send(client, new Labels(l.req(), page.prior(), page.kind(), page.total(), page.offset(), page.names()));
        } else if (reply instanceof ErrorReply e) {
            out.send(client, new ErrorReply(l.req(), null, e.code(), e.text()));
        } else {
            throw new ProtocolException(ErrorCode.INTERNAL, "a worker answered list_labels with " + reply.type());
        }
    }

    private static String owner(byte[] client) {
        return new String(client, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
