package dev.segue.engine.cluster;

import dev.segue.engine.server.Job;
import dev.segue.engine.server.JobRecord;
import dev.segue.engine.server.JobRequest;
import dev.segue.protocol.message.JobState;
import dev.segue.engine.server.Replies;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of jobs in flight, each followed as the lone daemon's {@link Job} (the clients attached to it,
 * each with its own req): progress and previews from the running worker passed on to every attached client, and,
 * once the job's record is final, its results read from the object store and sent whole by the daemon's own
 * {@link Replies}, then done (or the job's error, with the code it failed with). Results never come from the worker
 * directly, so a client never gets part of a take from an attempt that died: a redelivered job's progress simply
 * starts over. The end is noticed from the job records as they change (a watch on the KV bucket), from the
 * worker's end message, or, should both have been missed (core NATS is at most once; the watch is re-made after a
 * reconnect), from the record itself, read every {@link #CHECK_EVERY_MILLIS} for each job followed.
 */
final class Relay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    static final long CHECK_EVERY_MILLIS = 5_000;

    /** A job followed here; {@code owner} submitted it through this gateway (null: re-attached by fetch). */
    private record Followed(Job job, String owner) {}

    private final JobBook book;
    private final TakeStore store;
    private final Replies replies;
    private final Connection nc;
    private final Dispatcher events;
    private final Map<String, Followed> live = new ConcurrentHashMap<>();
    /** Jobs a cancel through this gateway is deciding: their end is announced by the cancel, in the protocol's order. */
    private final java.util.Set<String> cancelling = ConcurrentHashMap.newKeySet();
    private final ExecutorService delivery = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "segue-delivery");
        t.setDaemon(true);
        return t;
    });
    private final Thread watchdog;
    private final AutoCloseable records;
    private volatile boolean running = true;

    Relay(Connection nc, JobBook book, TakeStore store, Replies replies) throws IOException {
        this.nc = nc;
        this.book = book;
        this.store = store;
        this.replies = replies;
        this.events = nc.createDispatcher(this::onEvent);
        this.watchdog = new Thread(this::watch, "segue-relay-watch");
        watchdog.setDaemon(true);
        watchdog.start();
        this.records = book.watch(r -> {
            if (r.state().isFinal() && live.containsKey(r.job())) {
                delivery.execute(() -> settle(r.job()));
            }
        });
    }

    /** Follows a job for a client; its events are subscribed to before this returns. */
    void open(String job, String owner, byte[] client, long req) {
        live.put(job, new Followed(Job.followed(job, client, req), owner));
        events.subscribe(Names.events(job));
    }

    /** Attaches a client to a job already followed; false if none is (or it has just ended). */
    boolean attach(String job, byte[] client, long req) {
        Followed f = live.get(job);
        return f != null && f.job().attach(client, req);
    }

    /** Jobs a client submitted through this gateway that have not ended. */
    int outstanding(String owner) {
        int n = 0;
        for (Followed f : live.values()) {
            if (owner.equals(f.owner())) {
                n++;
            }
        }
        return n;
    }

    /**
     * A cancel of {@code job} is being decided here: until {@link #cancelled} or {@link #notCancelled}, the cancel
     * alone ends its streams, so the canceller's own stream ends before the cancel is answered.
     */
    void cancelling(String job) {
        cancelling.add(job);
    }

    /** The cancel found the job already final: it ends as its record says. */
    void notCancelled(String job) {
        cancelling.remove(job);
        settleNow(job);
    }

    /**
     * The job's record says cancelled by this canceller: every attached client gets {@code error CANCELLED} under
     * its own req (the canceller's own stream included), then the canceller under the cancel's req.
     */
    void cancelled(String job, byte[] canceller, long cancelReq) {
        Followed f = close(job);
        cancelling.remove(job);
        if (f == null) { // not followed here, or its end was just delivered from the record
            replies.send(canceller, new ErrorReply(cancelReq, job, ErrorCode.CANCELLED, "cancelled"));
            return;
        }
        f.job().cancel(canceller, cancelReq);
        replies.announceCancelled(f.job());
    }

    /** Ends a followed job now if its record is final (off this thread). */
    void settleNow(String job) {
        delivery.execute(() -> settle(job));
    }

    /** A final record's answer to a fetch: all results then done, or the job's error as a past failure. */
    void answer(JobRecord record, byte[] client, long req) {
        delivery.execute(() -> deliver(record, List.of(new Job.Subscriber(client, req)), false));
    }

    private void onEvent(Message m) {
        String job = m.getSubject().substring(Names.events("").length());
        Followed f = live.get(job);
        if (f == null) {
            return;
        }
        if (m.getHeaders() != null && m.getHeaders().getFirst("Segue-End") != null) {
            delivery.execute(() -> settle(job));
            return;
        }
        dev.segue.protocol.message.Message event;
        try {
            event = Frames.unpackMessage(m.getData());
        } catch (RuntimeException e) {
            LOG.warn("job {}: dropping an unreadable event: {}", job, e.getMessage());
            return;
        }
        LongFunction<dev.segue.protocol.message.Message> perClient;
        if (event instanceof Progress p) {
            perClient = req -> new Progress(req, job, p.level(), p.tokensDone(), p.tokensTotal(), p.etaMs(), p.stage());
        } else if (event instanceof Preview p) {
            perClient = req -> new Preview(req, job, p.candidate(), p.sampleRate(), p.offsetFrames(), p.audio());
        } else {
            return;
        }
        replies.sendAll(f.job(), perClient);
    }

    private void watch() {
        while (running) {
            try {
                Thread.sleep(CHECK_EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            for (String job : live.keySet()) {
                settle(job);
            }
        }
    }

    /** Ends a followed job if its record is final. */
    private void settle(String job) {
        if (!live.containsKey(job) || cancelling.contains(job)) {
            return;
        }
        JobRecord record;
        try {
            record = book.find(job).orElse(null);
        } catch (IOException e) {
            return; // NATS away: the watchdog tries again
        }
        if (record == null || !record.state().isFinal()) {
            return;
        }
        Followed f = close(job);
        if (f != null) {
            deliver(record, f.job().end(), true);
        }
    }

    private Followed close(String job) {
        Followed f = live.remove(job);
        if (f == null) {
            return null;
        }
        try {
            events.unsubscribe(Names.events(job));
        } catch (RuntimeException ignored) {
            // the connection is away; the subscription went with it
        }
        return f;
    }

    /**
     * A final job's takes then done, or its error: to the clients that followed it as it ended ({@code asItEnds}),
     * the error as the daemon's runner says it; to a later fetch, as the record of a past failure.
     */
    private void deliver(JobRecord record, List<Job.Subscriber> subs, boolean asItEnds) {
        String job = record.job();
        if (record.state() != JobState.DONE) {
            for (Job.Subscriber s : subs) {
                if (asItEnds) {
                    replies.send(s.client(), ending(s.req(), record));
                } else {
                    replies.sendFinal(s.client(), s.req(), record);
                }
            }
            return;
        }
        try {
            JobRequest r = record.request();
            long start = r.takeStart();
            for (JobRecord.Take take : record.takes()) {
                float[] audio = store.getAudio(take.file());
                for (Job.Subscriber s : subs) {
                    replies.sendTake(s.client(), s.req(), job, take.candidate(), take.sampleRate(), take.channels(),
                            start, take.seed(), audio, r);
                }
            }
            for (Job.Subscriber s : subs) {
                replies.send(s.client(), new Done(s.req(), job, record.takes().size()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("job {}: cannot read its takes", job, e);
            for (Job.Subscriber s : subs) {
                replies.send(s.client(), new ErrorReply(s.req(), job, ErrorCode.INTERNAL, "the cluster's object store "
                        + "could not give this job's takes: " + e.getMessage() + "; fetch it again later"));
            }
        }
    }

    /** The last message of a job that failed or was cancelled, as its attached clients get it when it ends. */
    private static ErrorReply ending(long req, JobRecord record) {
        if (record.state() == JobState.CANCELLED) {
            return new ErrorReply(req, record.job(), ErrorCode.CANCELLED, "cancelled");
        }
        ErrorCode code = record.errorCode() == null ? ErrorCode.INTERNAL
                : ErrorCode.fromWire(record.errorCode()).orElse(ErrorCode.INTERNAL);
        return new ErrorReply(req, record.job(), code, record.error() == null ? "the job failed" : record.error());
    }

    @Override
    public void close() {
        running = false;
        try {
            records.close();
        } catch (Exception ignored) {
            // the connection is closing anyway
        }
        watchdog.interrupt();
        delivery.shutdownNow();
        nc.closeDispatcher(events);
    }
}
