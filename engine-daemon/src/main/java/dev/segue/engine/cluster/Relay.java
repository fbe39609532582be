package dev.segue.engine.cluster;

import dev.segue.engine.server.JobRecord;
import dev.segue.engine.server.JobState;
import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Result;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of jobs in flight: progress and previews from the running worker passed on to every
 * attached client, and, once the job's record is final, its results read from the object store and sent
 * whole, then done (or the job's error). Results never come from the worker directly, so a client never
 * gets part of a take from an attempt that died: a redelivered job's progress simply starts over. The end
 * is noticed from the job records as they change (a watch on the KV bucket), from the worker's end message,
 * or, should both have been missed (core NATS is at most once; the watch is re-made after a reconnect), from
 * the record itself, read every {@link #CHECK_EVERY_MILLIS} for each job followed.
 */
final class Relay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    static final long CHECK_EVERY_MILLIS = 5_000;

    private final JobBook book;
    private final TakeStore store;
    private final Outbox out;
    private final Connection nc;
    private final Dispatcher events;
    private final Map<String, RemoteJob> live = new ConcurrentHashMap<>();
    private final ExecutorService delivery = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "segue-delivery");
        t.setDaemon(true);
        return t;
    });
    private final Thread watchdog;
    private final AutoCloseable records;
    private volatile boolean running = true;

    Relay(Connection nc, JobBook book, TakeStore store, Outbox out) throws IOException {
        this.nc = nc;
        this.book = book;
        this.store = store;
        this.out = out;
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
        live.put(job, new RemoteJob(job, owner, client, req));
        events.subscribe(Names.events(job));
    }

    /** Attaches a client to a job already followed; false if none is (or it has just ended). */
    boolean attach(String job, byte[] client, long req) {
        RemoteJob j = live.get(job);
        return j != null && j.attach(client, req);
    }

    /** Jobs a client submitted through this gateway that have not ended. */
    int outstanding(String owner) {
        int n = 0;
        for (RemoteJob j : live.values()) {
            if (owner.equals(j.owner)) {
                n++;
            }
        }
        return n;
    }

    /** The job was cancelled: every attached client hears it, the canceller last with its own req. */
    void cancelled(String job, byte[] canceller, long cancelReq) {
        List<RemoteJob.Subscriber> subs = close(job);
        for (RemoteJob.Subscriber s : subs == null ? List.<RemoteJob.Subscriber>of() : subs) {
            if (!Arrays.equals(s.client(), canceller)) {
                out.send(s.client(), new ErrorReply(s.req(), job, ErrorCode.CANCELLED, "cancelled"));
            }
        }
        out.send(canceller, new ErrorReply(cancelReq, job, ErrorCode.CANCELLED, "cancelled"));
    }

    /** Ends a followed job with an error of the gateway's own (its message could not be queued). */
    void failed(String job, String reason) {
        List<RemoteJob.Subscriber> subs = close(job);
        for (RemoteJob.Subscriber s : subs == null ? List.<RemoteJob.Subscriber>of() : subs) {
            out.send(s.client(), new ErrorReply(s.req(), job, ErrorCode.INTERNAL, reason));
        }
    }

    /** A final record's answer to {@code client}: all results then done, or the job's error; off this thread. */
    void answer(JobRecord record, byte[] client, long req) {
        delivery.execute(() -> deliver(record, List.of(new RemoteJob.Subscriber(client, req))));
    }

    private void onEvent(Message m) {
        String job = m.getSubject().substring(Names.events("").length());
        RemoteJob j = live.get(job);
        if (j == null) {
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
        for (RemoteJob.Subscriber s : j.subscribers) {
            if (event instanceof Progress p) {
                out.send(s.client(), new Progress(s.req(), job, p.level(), p.tokensDone(), p.tokensTotal(), p.etaMs()));
            } else if (event instanceof Preview p) {
                out.send(s.client(), new Preview(s.req(), job, p.candidate(), p.sampleRate(), p.offsetFrames(), p.audio()));
            }
        }
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
        if (!live.containsKey(job)) {
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
        List<RemoteJob.Subscriber> subs = close(job);
        if (subs != null) {
            deliver(record, subs);
        }
    }

    private List<RemoteJob.Subscriber> close(String job) {
        RemoteJob j = live.remove(job);
        if (j == null) {
            return null;
        }
        try {
            events.unsubscribe(Names.events(job));
        } catch (RuntimeException ignored) {
            // the connection is away; the subscription went with it
        }
        return j.end();
    }

    private void deliver(JobRecord record, List<RemoteJob.Subscriber> subs) {
        String job = record.job();
        if (record.state() != JobState.DONE) {
            for (RemoteJob.Subscriber s : subs) {
                out.send(s.client(), finalError(s.req(), record));
            }
            return;
        }
        try {
            Map<String, String> r = record.request();
            long start = Long.parseLong(r.getOrDefault("prime_start_sample", "0"))
                    + Long.parseLong(r.getOrDefault("prime_frames", "0"));
            Map<String, String> metadata = Map.of("prior", r.getOrDefault("prior", "unknown"),
                    "quality", r.getOrDefault("quality", "sketch"));
            for (JobRecord.Take take : record.takes()) {
                float[] audio = store.getAudio(take.file());
                for (RemoteJob.Subscriber s : subs) {
                    sendTake(s, job, take, start, audio, metadata);
                }
            }
            for (RemoteJob.Subscriber s : subs) {
                out.send(s.client(), new Done(s.req(), job, record.takes().size()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("job {}: cannot read its takes", job, e);
            for (RemoteJob.Subscriber s : subs) {
                out.send(s.client(), new ErrorReply(s.req(), job, ErrorCode.INTERNAL, "the cluster's object store "
                        + "could not give this job's takes: " + e.getMessage() + "; fetch it again later"));
            }
        }
    }

    /** One candidate in chunks of at most the protocol's per-message audio bound. */
    private void sendTake(RemoteJob.Subscriber s, String job, JobRecord.Take take, long start, float[] interleaved,
                          Map<String, String> metadata) {
        int channels = take.channels();
        int rate = take.sampleRate();
        int total = interleaved.length / channels;
        int chunk = Bounds.MAX_AUDIO_SECONDS * rate;
        for (int offset = 0; offset < total; offset += chunk) {
            int n = Math.min(chunk, total - offset);
            float[] part = Arrays.copyOfRange(interleaved, offset * channels, (offset + n) * channels);
            out.send(s.client(), new Result(s.req(), job, take.candidate(), rate, start, total, offset, take.seed(),
                    metadata, Audio.of(channels, part)));
        }
    }

    /** What a lone daemon answers for a final record other than a whole result. */
    static dev.segue.protocol.message.Message finalError(long req, JobRecord record) {
        return switch (record.state()) {
            case DONE -> new Done(req, record.job(), record.takes().size());
            case CANCELLED -> new ErrorReply(req, record.job(), ErrorCode.CANCELLED, "the job was cancelled");
            default -> new ErrorReply(req, record.job(), ErrorCode.INTERNAL,
                    record.error() == null ? "the job failed" : record.error());
        };
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
