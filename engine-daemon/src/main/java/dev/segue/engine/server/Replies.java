package dev.segue.engine.server;

import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Result;
import java.util.Arrays;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * What the daemon says about jobs, as messages into the outbox: results in bounded chunks, a job's last message,
 * and a message to every client attached to a job.
 */
public final class Replies {
    private final Outbox outbox;
    private final ResultStore store;

    /** {@code store} records cancellations; null where another process keeps the records (the cluster). */
    public Replies(Outbox outbox, ResultStore store) {
        this.outbox = outbox;
        this.store = store;
    }

    public void send(byte[] client, Message m) {
        outbox.add(client, m);
    }

    /** One message per client attached to the job, each with the req that client attached with. */
    public void sendAll(Job job, LongFunction<Message> message) {
        for (Job.Subscriber sub : job.subscribers) {
            send(sub.client(), message.apply(sub.req()));
        }
    }

    /**
     * One candidate in chunks of at most the protocol's per-message audio bound. Its metadata: the prior and tier,
     * and where the take sits in the DAW's bars ({@code tempo_bpm}, {@code time_sig}, {@code start_bar}: the 0-based
     * bar the take starts on) when the job's {@code request} record has them, so a client can name the file as the
     * plugin names its stems.
     */
    public void sendTake(byte[] client, long req, String job, int candidate, int rate, int channels, long start, long seed,
                  float[] interleaved, JobRequest request) {
        Map<String, String> metadata = takeMetadata(request);
        int total = interleaved.length / channels;
        int chunk = Bounds.MAX_AUDIO_SECONDS * rate;
        for (int offset = 0; offset < total; offset += chunk) {
            int n = Math.min(chunk, total - offset);
            float[] part = Arrays.copyOfRange(interleaved, offset * channels, (offset + n) * channels);
            send(client, new Result(req, job, candidate, rate, start, total, offset, seed,
                    metadata, Audio.of(channels, part)));
        }
    }

    private static Map<String, String> takeMetadata(JobRequest request) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("prior", request.prior() == null ? "unknown" : request.prior());
        m.put("quality", request.quality() == null ? "sketch" : request.quality());
        Double bar = request.barAt(request.takeStart());
        if (bar != null) { // a record without the DAW's grid (an older one) gives the take no bar
            m.put("tempo_bpm", request.tempoBpm().toString());
            m.put("time_sig", request.timeSig());
            m.put("start_bar", Double.toString(bar));
        }
        return m;
    }

    /** The last message of a finished job, as a fetch or cancel of it is answered. */
    public void sendFinal(byte[] client, long req, JobRecord record) {
        switch (record.state()) {
            case DONE -> send(client, new Done(req, record.job(), record.takes().size()));
            case CANCELLED -> send(client, new ErrorReply(req, record.job(), ErrorCode.CANCELLED, "the job was cancelled"));
            default -> {
                ErrorCode code = record.errorCode() == null ? ErrorCode.INTERNAL
                        : ErrorCode.fromWire(record.errorCode()).orElse(ErrorCode.INTERNAL);
                send(client, new ErrorReply(req, record.job(), code, "the job failed earlier: "
                        + (record.error() == null ? "no reason was recorded" : record.error())));
            }
        }
    }

    /**
     * A cancelled job's end: recorded, then {@code error CANCELLED} to every attached client under the req it
     * attached with (the submitter's stream ends too), and to the canceller under the cancel's req.
     */
    void cancelled(Job job) {
        record(job);
        announceCancelled(job);
    }

    /** Only the messages of a cancelled job's end; the record is written after (see {@link #record}). */
    public void announceCancelled(Job job) {
        for (Job.Subscriber sub : job.end()) {
            send(sub.client(), new ErrorReply(sub.req(), job.id, ErrorCode.CANCELLED, "cancelled"));
        }
        Job.Subscriber canceller = job.canceller();
        if (canceller != null) {
            send(canceller.client(), new ErrorReply(canceller.req(), job.id, ErrorCode.CANCELLED, "cancelled"));
        }
    }

    /** Writes a cancelled job's record. */
    void record(Job job) {
        try {
            store.cancel(job.id);
        } catch (java.io.IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Replies.class).error("could not record the cancellation of job {}", job.id, e);
        }
    }
}
