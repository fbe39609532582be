package dev.segue.engine.server;

import dev.segue.protocol.message.JobState;
import dev.segue.engine.monitor.Monitor;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code submit} and {@code extend} into queued jobs (checking everything the client could have got wrong
 * first, so a job that starts is a job that can run) and answers {@code cancel} and {@code fetch}. Runs on the
 * daemon's admission thread, never the socket's: it writes job records and reads takes from disk.
 */
public final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    /** 2^53 samples: every timeline position is exact as a double, and more than a year and a half at 192 kHz. */
    static final long MAX_TIMELINE_SAMPLE = 1L << 53;

    private final Engines engines;
    private final ResultStore store;
    private final FairQueue<Job> queue;
    /** Jobs queued or running, by id; the runner removes a job once its outcome is in the store. */
    final Map<String, Job> live = new ConcurrentHashMap<>();
    private final Replies replies;
    private final AtomicLong jobCounter = new AtomicLong();

    Admission(Engines engines, ResultStore store, FairQueue<Job> queue, Replies replies) {
        this.engines = engines;
        this.store = store;
        this.queue = queue;
        this.replies = replies;
    }

    void submit(byte[] client, Submit s) throws IOException {
        GenerationRequest request = s.request();
        ContinuationEngine engine = engines.named(request.prior());
        long frames = check(engine, s);
        String quality = request.quality().wire();
        int rate = s.context().sampleRate();
        float[] mono = Channels.mono(s.prime().toArray(), s.prime().channels());
        Job.Spec spec = new Job.Spec(rate, s.prime().channels(), s.context().primeStartSample() + s.prime().frames(),
                request.seed(), engine.priorName(), quality, image(s.prime().toArray(), s.prime().channels(), rate, mono));
        JobRequest summary = JobRequest.of(engine.priorName(), s);
        String id = enqueue(client, s.req(), spec, request.candidates(), summary,
                monitor -> engine.continueTakes(mono, rate, frames, request, s.context(), monitor));
        LOG.info("job {}: {} candidates, {} frames", id, request.candidates(), frames);
    }

    /**
     * A finished take continued further as a new job of one candidate: the engine keeps each take's codes, so only
     * the new tokens are sampled. The new job's take starts where the old one ended on the timeline; a length in
     * bars is measured with the tempo and metre the take was made at, by the protocol's own formula.
     */
    void extend(byte[] client, Extend e) throws IOException {
        JobRecord record = store.find(e.job()).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB,
                "no job " + e.job()));
        Extension x = plan(record, e);
        byte[] state = store.readState(e.job(), e.candidate()).orElseThrow(() -> new ProtocolException(
                ErrorCode.BAD_MESSAGE, "job: " + e.job() + " kept no model state to extend from (made by an older daemon "
                + "or another engine)"));
        JobRequest r = record.request();
        ContinuationEngine engine = engines.named(r.prior());
        JobRecord.Take take = x.take();
        int rate = take.sampleRate();
        float[] stored = store.readTake(e.job(), e.candidate());
        float[] previous = Channels.mono(stored, take.channels());
        // The extension carries on the stereo image of the take it extends.
        Job.Spec spec = new Job.Spec(rate, take.channels(), x.start(), take.seed(), engine.priorName(),
                r.quality() == null ? "sketch" : r.quality(), image(stored, take.channels(), rate, previous));
        String id = enqueue(client, e.req(), spec, 1, x.summary(),
                monitor -> engine.extend(state, previous, rate, x.frames(), monitor));
        LOG.info("job {}: extends {} candidate {} by {} frames", id, e.job(), e.candidate(), x.frames());
    }

    /**
     * An extension worked out from the finished job's record: the take it continues, the timeline sample the new
     * audio starts at, its length in frames, and what the new job's record keeps of its request.
     */
    public record Extension(JobRecord.Take take, long start, long frames, JobRequest summary) {}

    /**
     * Checks an extend against the record of the job it names (finished, with that candidate, the take staying
     * within the protocol's bound) and works out the extension; the cluster's gateway plans one with this too.
     */
    public static Extension plan(JobRecord record, Extend e) {
        if (record.state() != JobState.DONE) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "job: " + e.job() + " is "
                    + record.state().name().toLowerCase(Locale.ROOT) + "; only a finished job extends");
        }
        JobRecord.Take take = record.takes().stream().filter(t -> t.candidate() == e.candidate()).findFirst()
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB, "candidate: job " + e.job()
                        + " has no candidate " + e.candidate()));
        JobRequest r = record.request();
        int rate = take.sampleRate();
        long start = r.takeStart() + take.frames();
        double seconds = e.length() instanceof Length.Bars bars ? r.context(rate, start).secondsForBars(bars.bars())
                : ((Length.Seconds) e.length()).seconds();
        long frames = (long) Math.floor(seconds * rate + 0.5);
        if (frames < 1 || (take.frames() + frames) > (long) Bounds.MAX_CONTINUATION_SECONDS * rate) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "length: the take would last " + (take.frames() / (double) rate
                    + seconds) + " s; a take lasts at most " + Bounds.MAX_CONTINUATION_SECONDS + " s");
        }
        JobRequest summary = r.extension(e.job() + ":" + e.candidate(), e.length().key() + "=" + e.length().value(),
                start);
        return new Extension(take, start, frames, summary);
    }

    /**
     * For a stereo job, how its mono takes become stereo: the stereo image of {@code interleaved} (the prime, or
     * the take being extended) given to each take, with {@code before} (that audio's downmix) as the take's past.
     */
    private static Supplier<UnaryOperator<float[]>> image(float[] interleaved, int channels, int rate, float[] before) {
        return channels != 2 ? null : () -> Channels.toChannels(interleaved, channels, rate, before);
    }

    /**
     * The one way a job is made: its record is written, {@code accepted} goes out, then it joins its client's
     * queue, in that order, so the record exists before the job thread can take the job and {@code accepted} is
     * in the outbox before the job's first progress.
     */
    private String enqueue(byte[] client, long req, Job.Spec spec, int candidates, JobRequest summary,
                           Function<Monitor, ContinuationEngine.Takes> work) throws IOException {
        String clientKey = new String(client, StandardCharsets.ISO_8859_1);
        // Only this thread enqueues, so room seen here is still there after the record is written.
        if (!queue.hasRoom(clientKey)) {
            throw new ProtocolException(ErrorCode.QUEUE_FULL, "this client already has the most queued jobs allowed ("
                    + queue.perClient() + ")");
        }
        String id = "j" + Long.toString(System.currentTimeMillis(), 36) + "-" + jobCounter.incrementAndGet();
        Job job = new Job(id, client, req, spec, work);
        store.create(id, candidates, summary);
        live.put(id, job);
        replies.send(client, new Accepted(req, id));
        queue.offer(clientKey, job);
        return id;
    }

    /**
     * The record of a job whose cancel the socket thread has answered: out of the queue, and written as cancelled.
     * A fetch after the cancel runs on this thread after this, so it finds the record written.
     */
    void recordCancelled(Job job) {
        if (queue.remove(job)) {
            live.remove(job.id);
        }
        replies.record(job);
    }

    void cancel(byte[] client, Cancel c) throws IOException {
        Job job = live.get(c.job());
        if (job != null) {
            switch (job.cancel(client, c.req())) {
                case ENDS_IT -> {
                    // Answered now, queued or running: a running engine stops at its next check, and what it
                    // was making is thrown away.
                    if (queue.remove(job)) {
                        live.remove(job.id);
                    }
                    replies.cancelled(job);
                    return;
                }
                case RUNNER_ANSWERS -> {
                    return;
                }
                case ALREADY_ENDED -> { } // answered from the store below
            }
        }
        JobRecord record = store.find(c.job()).orElse(null);
        if (record == null) {
            replies.send(client, new dev.segue.protocol.message.ErrorReply(c.req(), c.job(), ErrorCode.UNKNOWN_JOB,
                    "no job " + c.job()));
        } else {
            replies.sendFinal(client, c.req(), record);
        }
    }

    void fetch(byte[] client, dev.segue.protocol.message.Fetch f) throws IOException {
        Job job = live.get(f.job());
        if (job != null && job.attach(client, f.req())) { // the rest of the job's messages go to this client too
            replies.send(client, new Accepted(f.req(), f.job()));
            return;
        }
        JobRecord record = store.find(f.job()).orElse(null);
        if (record == null) {
            replies.send(client, new dev.segue.protocol.message.ErrorReply(f.req(), f.job(), ErrorCode.UNKNOWN_JOB,
                    "no job " + f.job()));
            return;
        }
        if (record.expired()) {
            replies.send(client, new dev.segue.protocol.message.ErrorReply(f.req(), f.job(), ErrorCode.UNKNOWN_JOB,
                    "job " + f.job() + ": its takes were deleted by the daemon's retention policy at "
                    + java.time.Instant.ofEpochMilli(record.expiredMillis())));
            return;
        }
        if (record.state() == JobState.DONE) {
            store.markFetched(record.job());
            long start = record.request().takeStart();
            for (JobRecord.Take take : record.takes()) {
                replies.sendTake(client, f.req(), record.job(), take.candidate(), take.sampleRate(), take.channels(),
                        start, take.seed(), store.readTake(record.job(), take.candidate()), record.request());
            }
        }
        replies.sendFinal(client, f.req(), record);
    }

    /**
     * Everything a submit could have got wrong for {@code engine}, checked before a job is made, so a job that starts
     * is a job that can run; returns the continuation's length in frames at the client's rate. The cluster's gateway
     * checks a submit with this too, against the prior a live worker announced.
     */
    public static long check(ContinuationEngine engine, Submit s) {
        GenerationRequest request = s.request();
        engine.checkFits(request.candidates(), request.quality());
        if (!Engines.presetNames(engine).contains(request.preset())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRESET, "no preset '" + request.preset() + "' for prior '"
                    + engine.priorName() + "'; it has " + Engines.presetNames(engine));
        }
        String quality = request.quality().wire();
        if (!engine.supports(request.quality())) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.quality: '" + quality + "' needs upsampler "
                    + "priors that '" + engine.priorName() + "' does not have; it serves " + servedTiers(engine));
        }
        if (Engines.SKETCH_PRESET.equals(request.preset()) && request.quality() != Quality.SKETCH) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.quality: preset 'sketch' does only 'sketch'; "
                    + "use preset '" + Engines.STUDIO_PRESET + "' for '" + quality + "'");
        }
        checkLabels(engine, request);
        double primeSeconds = s.prime().frames() / (double) s.context().sampleRate();
        if (primeSeconds < engine.minPrimeSeconds()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, String.format(Locale.ROOT, "context.frames: a "
                    + "prime of %.4f s is too short to encode; this prior needs at least %.4f s", primeSeconds,
                    engine.minPrimeSeconds()));
        }
        if (s.context().primeStartSample() > MAX_TIMELINE_SAMPLE) {
            // Takes and their extensions are placed after the prime on the timeline; far enough out, those sums
            // would overflow after the job had run.
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "context.prime_start_sample: " + s.context().primeStartSample()
                    + " is past the last timeline position a take can start from (" + MAX_TIMELINE_SAMPLE + ")");
        }
        int depth = tierDepth(request.quality(), engine);
        int temperatures = request.temperatures().size();
        if (temperatures < depth || temperatures > engine.levels()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.temperatures: " + temperatures + " given; '"
                    + quality + "' samples " + depth + " level(s) and this prior has " + engine.levels());
        }
        int rate = s.context().sampleRate(); // the codec has checked it against the protocol's bounds
        double seconds = request.length() instanceof Length.Bars bars ? s.context().secondsForBars(bars.bars())
                : ((Length.Seconds) request.length()).seconds();
        long frames = (long) Math.floor(seconds * rate + 0.5);
        if (frames < 1) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "length: a continuation of " + seconds + " s is shorter "
                    + "than one sample at " + rate + " Hz");
        }
        if (seconds > engine.maxContinuationSeconds()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "length: a continuation of " + seconds + " s; this prior "
                    + "gives at most " + engine.maxContinuationSeconds() + " s per request");
        }
        return frames;
    }

    /**
     * Artist, genre and lyrics only mean something to a prior conditioned on them, by the names in that prior's own
     * lists; a request that names one a prior cannot use is refused rather than silently ignored. The cluster's
     * gateway checks a request with this too.
     */
    public static void checkLabels(ContinuationEngine engine, GenerationRequest r) {
        for (String[] label : new String[][] {{"artist", r.artist()}, {"genre", r.genre()}}) {
            if (label[1] == null) {
                continue;
            }
            if (!engine.labels()) {
                throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request." + label[0] + ": prior '" + engine.priorName()
                        + "' is not conditioned on " + label[0] + "s; leave it out");
            }
            engine.checkLabel(label[0], label[1]);
        }
        if (r.lyrics() != null && !r.lyrics().isEmpty() && !engine.lyrics()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.lyrics: prior '" + engine.priorName()
                    + "' has no lyrics conditioning; leave lyrics out or use a lyrics prior");
        }
        if (r.lyrics() != null && engine.lyrics()) {
            engine.checkLyrics(r.lyrics());
        }
    }

    /** The tiers {@code engine} serves, quoted in the protocol's words: "'sketch'" or "'sketch', 'draft'". */
    private static String servedTiers(ContinuationEngine engine) {
        return java.util.Arrays.stream(Quality.values()).filter(engine::supports).map(q -> "'" + q.wire() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Prior levels a tier samples: sketch the top only, draft one upsampler more, full all of them. */
    private static int tierDepth(Quality q, ContinuationEngine engine) {
        return switch (q) {
            case SKETCH -> 1;
            case DRAFT -> Math.min(2, engine.levels());
            case FULL -> engine.levels();
        };
    }
}
