package dev.segue.engine.server;

import dev.segue.engine.audio.StereoImage;
import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Submit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The resident service: one ROUTER socket served by one thread (ZeroMQ sockets are not thread-safe), one
 * worker thread running jobs from a queue that is fair across clients, and the result store. The worker
 * never touches the socket; it leaves replies in an outbox the socket thread sends within 10 ms.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    public static final String VERSION = "0.1.0";
    private static final long POLL_MILLIS = 10;
    private static final long PROGRESS_EVERY_MILLIS = 50;
    /** The one generation preset served until presets are loaded from presets/: top level, model defaults. */
    static final String SKETCH_PRESET = "sketch";
    /** Every tier the loaded priors can do; offered only when upsamplers are loaded. */
    static final String STUDIO_PRESET = "studio";

    private record Outgoing(byte[] client, Message message) {}

    /** A client following a job: its messages carry the req of the request that attached it. */
    private record Subscriber(byte[] client, long req) {}

    /**
     * One accepted job: what it will do, where its takes go on the timeline, and who follows it. Its messages
     * go to every client attached to it: the submitter, and each client that fetched it while it runs (a
     * companion app watching, or the submitter again after a reconnect, which replaces its own earlier
     * attachment). A fetch never detaches the others.
     */
    private static final class Job {
        /** Attachments kept per job; past this the second-oldest is dropped (the oldest is most often the submitter). */
        static final int MAX_SUBSCRIBERS = 16;

        final String id;
        final int rate;
        final int channels;
        final long start;
        final long seed;
        final String prior;
        final String quality;
        final java.util.function.Function<ContinuationEngine.Monitor, ContinuationEngine.Takes> work;
        final java.util.concurrent.CopyOnWriteArrayList<Subscriber> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean cancelled;
        volatile byte[] cancelClient;
        volatile long cancelReq;
        /** A stereo prime's image for the job's mono takes (set before the job is queued); null: mono or L = R. */
        volatile java.util.function.UnaryOperator<float[]> widen;

        Job(String id, byte[] client, long req, int rate, int channels, long start, long seed, String prior, String quality,
            java.util.function.Function<ContinuationEngine.Monitor, ContinuationEngine.Takes> work) {
            this.id = id;
            this.subscribers.add(new Subscriber(client, req));
            this.rate = rate;
            this.channels = channels;
            this.start = start;
            this.seed = seed;
            this.prior = prior;
            this.quality = quality;
            this.work = work;
        }

        /** Set once the job's outcome is in the store; later fetches are answered from the store. */
        private boolean ended;

        /** Adds (or renews) a client's attachment; false once the job has ended (then the store answers). */
        synchronized boolean attach(byte[] client, long req) {
            if (ended) {
                return false;
            }
            subscribers.removeIf(s -> java.util.Arrays.equals(s.client(), client));
            subscribers.add(new Subscriber(client, req));
            while (subscribers.size() > MAX_SUBSCRIBERS) {
                subscribers.remove(1);
            }
            return true;
        }

        /**
         * Closes the job to new attachments and returns the clients that get its last messages. Called after
         * the store has its outcome, so a fetch that comes after this is served completely from the store.
         */
        synchronized List<Subscriber> end() {
            ended = true;
            return List.copyOf(subscribers);
        }
    }

    private final String endpoint;
    private final CurveSecurity curve;
    private final ResultStore store;
    /** The loaded priors by name, in start-up order; the first answers requests that name no prior. */
    private final Map<String, ContinuationEngine> engines = new LinkedHashMap<>();
    private final FairQueue<Job> queue;
    private final Map<String, Job> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicLong jobCounter = new AtomicLong();
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile String boundEndpoint;
    private volatile RuntimeException failure;
    private Thread worker;

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
        if (priors.isEmpty()) {
            throw new IllegalArgumentException("a daemon needs at least one prior");
        }
        for (ContinuationEngine e : priors) {
            if (engines.putIfAbsent(e.priorName(), e) != null) {
                throw new IllegalArgumentException("two priors are named '" + e.priorName() + "'");
            }
        }
        if (curve == null) {
            requireLoopback(endpoint);
        }
        this.curve = curve;
        this.endpoint = endpoint;
        this.store = store;
        this.queue = new FairQueue<>(queuedPerClient);
    }

    /** Non-negotiable 7: local by default, and a remote listener only with CurveZMQ, which is not built yet. */
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
        worker = new Thread(this::work, "segue-jobs");
        worker.setDaemon(true);
        worker.start();
        try (ZContext context = new ZContext(); ZAuth auth = curve == null ? null : new ZAuth(context)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            if (curve != null) {
                // The authenticator must run before the bind, so no handshake is ever unchecked.
                auth.configureCurve(curve.allowedClients().toString());
                router.setZAPDomain("segue");
                router.setCurveServer(true);
                router.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.serverSecretZ85()));
            }
            // Oversized messages are dropped by ZeroMQ itself before they cost us memory.
            router.setMaxMsgSize(Bounds.MAX_MESSAGE_BYTES);
            if (!router.bind(endpoint)) {
                failure = new IllegalStateException("cannot listen on " + endpoint + ": "
                        + ZMQ.Error.findByCode(router.errno()));
                throw failure;
            }
            boundEndpoint = router.getLastEndpoint();
            bound.countDown();
            LOG.info("segue daemon {} listening on {} with priors {}", VERSION, endpoint, engines.keySet());
            ZMQ.Poller poller = context.createPoller(1);
            poller.register(router, ZMQ.Poller.POLLIN);
            while (running && !Thread.currentThread().isInterrupted()) {
                poller.poll(POLL_MILLIS);
                ZMsg msg;
                while ((msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT)) != null) {
                    receive(msg);
                }
                Outgoing out;
                while ((out = outbox.poll()) != null) {
                    ZMsg reply = new ZMsg();
                    reply.add(out.client());
                    for (byte[] frame : ProtocolCodec.encode(out.message())) {
                        reply.add(frame);
                    }
                    reply.send(router);
                }
            }
        } finally {
            bound.countDown();
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
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        Message m;
        try {
            m = ProtocolCodec.decode(frames);
        } catch (ProtocolException e) {
            LOG.warn("bad message from a client: {} {}", e.code(), e.text());
            send(client, ErrorReply.of(e));
            return;
        }
        LOG.debug("received {} req {}", m.type(), m.req());
        try {
            handle(client, m);
        } catch (ProtocolException e) {
            LOG.info("refused {} req {}: {} {}", m.type(), m.req(), e.code(), e.text());
            send(client, new ErrorReply(m.req(), null, e.code(), e.text()));
        } catch (IOException | RuntimeException e) {
            LOG.error("failed to handle {}", m.type(), e);
            send(client, new ErrorReply(m.req(), null, ErrorCode.INTERNAL, String.valueOf(e.getMessage())));
        }
    }

    private void handle(byte[] client, Message m) throws IOException {
        if (m instanceof Hello h) {
            send(client, new Capabilities(h.req(), VERSION, Bounds.PROTOCOL_VERSION, List.copyOf(engines.keySet()),
                    presetInfos().stream().map(PresetInfo::name).distinct().toList(), limits()));
        } else if (m instanceof ListPriors l) {
            send(client, new Priors(l.req(), engines.values().stream().map(e -> new PriorInfo(e.priorName(), e.levels(),
                    e.sampleRate(), e.labels(), e.weightBytes(), e.loaded())).toList()));
        } else if (m instanceof ListPresets l) {
            send(client, new Presets(l.req(), presetInfos()));
        } else if (m instanceof Heartbeat h) {
            send(client, new Heartbeat(h.req(), h.tMs()));
        } else if (m instanceof Submit s) {
            submit(client, s);
        } else if (m instanceof Cancel c) {
            cancel(client, c);
        } else if (m instanceof Fetch f) {
            fetch(client, f);
        } else if (m instanceof ListJobs l) {
            send(client, new Jobs(l.req(), JobListing.newestFirst(store.list(), Bounds.MAX_LIST_ENTRIES)));
        } else if (m instanceof ListLabels l) {
            send(client, LabelPages.page(l, engineFor(l.prior()).labelNames(l.kind())));
        } else if (m instanceof Extend e) {
            extend(client, e);
        } else {
            send(client, new ErrorReply(m.req(), null, ErrorCode.BAD_MESSAGE,
                    "'" + m.type() + "' is sent by the daemon, not to it"));
        }
    }

    private static List<String> presetNames(ContinuationEngine engine) {
        return engine.supports(Quality.DRAFT) ? List.of(SKETCH_PRESET, STUDIO_PRESET) : List.of(SKETCH_PRESET);
    }

    /** Every prior's presets: "sketch" for each, "studio" for those with upsamplers. */
    private List<PresetInfo> presetInfos() {
        List<PresetInfo> out = new ArrayList<>();
        for (ContinuationEngine engine : engines.values()) {
            out.add(new PresetInfo(SKETCH_PRESET, engine.priorName(), "top level only, decoded directly: the fastest take"));
            if (engine.supports(Quality.DRAFT)) {
                out.add(new PresetInfo(STUDIO_PRESET, engine.priorName(), "any tier the prior has: sketch, draft"
                        + (engine.supports(Quality.FULL) ? ", full" : "") + " (upsampled, slower)"));
            }
        }
        return out;
    }

    /**
     * Artist, genre and lyrics only mean something to a prior conditioned on them, by the names in that
     * prior's own lists; a request that names one a prior cannot use is refused rather than silently ignored.
     */
    private static void checkLabels(ContinuationEngine engine, dev.segue.protocol.message.GenerationRequest r) {
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

    /** The prior a request names; no name means the first loaded. */
    private ContinuationEngine engineFor(String prior) {
        if (prior == null || prior.isEmpty()) {
            return engines.values().iterator().next();
        }
        ContinuationEngine engine = engines.get(prior);
        if (engine == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRIOR, "no prior '" + prior + "'; this daemon has "
                    + engines.keySet());
        }
        return engine;
    }

    /** Prior levels a tier samples: sketch the top only, draft one upsampler more, full all of them. */
    private static int tierDepth(Quality q, ContinuationEngine engine) {
        return switch (q) {
            case SKETCH -> 1;
            case DRAFT -> Math.min(2, engine.levels());
            case FULL -> engine.levels();
        };
    }

    private Limits limits() {
        long seconds = (long) engines.values().stream().mapToDouble(ContinuationEngine::maxContinuationSeconds).max()
                .orElse(1);
        return new Limits(Bounds.MAX_MESSAGE_BYTES, Bounds.MAX_AUDIO_SECONDS, Bounds.MAX_CANDIDATES,
                (int) Math.min(Bounds.MAX_LENGTH_BARS, Math.max(1, seconds / 2)), (int) Math.max(1, seconds));
    }

    private void submit(byte[] client, Submit s) throws IOException {
        var request = s.request();
        ContinuationEngine engine = engineFor(request.prior());
        engine.checkFits();
        if (!presetNames(engine).contains(request.preset())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRESET, "no preset '" + request.preset() + "' for prior '"
                    + engine.priorName() + "'; it has " + presetNames(engine));
        }
        String quality = request.quality().name().toLowerCase(java.util.Locale.ROOT);
        if (!engine.supports(request.quality())) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.quality: '" + quality + "' needs upsampler "
                    + "priors that '" + engine.priorName() + "' does not have; ask for 'sketch'");
        }
        if (SKETCH_PRESET.equals(request.preset()) && request.quality() != Quality.SKETCH) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.quality: preset 'sketch' does only 'sketch'; "
                    + "use preset '" + STUDIO_PRESET + "' for '" + quality + "'");
        }
        checkLabels(engine, request);
        double primeSeconds = s.prime().frames() / (double) s.context().sampleRate();
        if (primeSeconds < engine.minPrimeSeconds()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, String.format(java.util.Locale.ROOT, "context.frames: a "
                    + "prime of %.4f s is too short to encode; this prior needs at least %.4f s", primeSeconds,
                    engine.minPrimeSeconds()));
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
        if (frames < 1 || seconds > engine.maxContinuationSeconds()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "a continuation of " + seconds + " s; this prior gives "
                    + "at most " + engine.maxContinuationSeconds() + " s per request");
        }
        String id = "j" + Long.toString(System.currentTimeMillis(), 36) + "-" + jobCounter.incrementAndGet();
        float[] mono = downmix(s.prime());
        Job job = new Job(id, client, s.req(), rate, s.prime().channels(),
                s.context().primeStartSample() + s.prime().frames(), request.seed(), engine.priorName(), request.quality().wire(),
                monitor -> engine.continueTakes(mono, rate, frames, request, s.context(), monitor));
        job.widen = widener(s.prime().toArray(), s.prime().channels(), rate, mono);
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("prior", engine.priorName());
        summary.put("length", request.length().key() + "=" + request.length().value());
        summary.put("seed", Long.toUnsignedString(request.seed()));
        summary.put("sample_rate", Integer.toString(rate));
        summary.put("prime_start_sample", Long.toString(s.context().primeStartSample()));
        summary.put("prime_frames", Integer.toString(s.prime().frames()));
        summary.put("prime_start_bar", Double.toString(s.context().primeStartBar()));
        summary.put("tempo_bpm", Double.toString(s.context().tempoBpm()));
        summary.put("quality", request.quality().wire());
        summary.put("time_sig", s.context().timeSigNum() + "/" + s.context().timeSigDen());
        String clientKey = new String(client, java.nio.charset.StandardCharsets.ISO_8859_1);
        // Only this thread enqueues, so room seen here is still there after the record is written; the
        // record must exist before the worker can take the job.
        if (!queue.hasRoom(clientKey)) {
            throw new ProtocolException(ErrorCode.QUEUE_FULL, "this client already has the most queued jobs allowed");
        }
        store.create(id, request.candidates(), summary);
        live.put(id, job);
        // Accepted goes into the outbox before the worker can put the job's first progress there.
        send(client, new Accepted(s.req(), id));
        queue.offer(clientKey, job);
        LOG.info("job {}: {} candidates, {} frames", id, request.candidates(), frames);
    }

    /**
     * A finished take continued further as a new job of one candidate: the engine keeps each take's codes, so
     * only the new tokens are sampled. The new job's take starts where the old one ended on the timeline.
     */
    private void extend(byte[] client, Extend e) throws IOException {
        JobRecord record = store.find(e.job()).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB,
                "no job " + e.job()));
        if (record.state() != JobState.DONE) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "job: " + e.job() + " is "
                    + record.state().name().toLowerCase(java.util.Locale.ROOT) + "; only a finished job extends");
        }
        JobRecord.Take take = record.takes().stream().filter(t -> t.candidate() == e.candidate()).findFirst()
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_JOB, "candidate: job " + e.job()
                        + " has no candidate " + e.candidate()));
        byte[] state = store.readState(e.job(), e.candidate()).orElseThrow(() -> new ProtocolException(
                ErrorCode.BAD_MESSAGE, "job: " + e.job() + " kept no model state to extend from (made by an older daemon "
                + "or another engine)"));
        Map<String, String> r = record.request();
        ContinuationEngine engine = engineFor(r.get("prior"));
        int rate = take.sampleRate();
        double seconds;
        if (e.length() instanceof Length.Bars bars) {
            double bpm = Double.parseDouble(r.getOrDefault("tempo_bpm", "120"));
            String[] sig = r.getOrDefault("time_sig", "4/4").split("/");
            seconds = bars.bars() * 240.0 * Integer.parseInt(sig[0]) / (Integer.parseInt(sig[1]) * bpm);
        } else {
            seconds = ((Length.Seconds) e.length()).seconds();
        }
        long frames = (long) Math.floor(seconds * rate + 0.5);
        if (frames < 1 || (take.frames() + frames) > (long) Bounds.MAX_CONTINUATION_SECONDS * rate) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "length: the take would last " + (take.frames() / (double) rate
                    + seconds) + " s; a take lasts at most " + Bounds.MAX_CONTINUATION_SECONDS + " s");
        }
        float[] stored = store.readTake(e.job(), e.candidate());
        float[] previous = monoOf(stored, take.channels());
        long start = Long.parseLong(r.getOrDefault("prime_start_sample", "0"))
                + Long.parseLong(r.getOrDefault("prime_frames", "0")) + take.frames();
        String id = "j" + Long.toString(System.currentTimeMillis(), 36) + "-" + jobCounter.incrementAndGet();
        long seed = take.seed();
        Job job = new Job(id, client, e.req(), rate, take.channels(), start, seed, engine.priorName(),
                r.getOrDefault("quality", "sketch"),
                monitor -> engine.extend(state, previous, rate, frames, monitor));
        job.widen = widener(stored, take.channels(), rate, previous); // the take carries its prime's image on
        Map<String, String> summary = new LinkedHashMap<>(r);
        summary.put("extends", e.job() + ":" + e.candidate());
        summary.put("length", e.length().key() + "=" + e.length().value());
        summary.put("prime_start_sample", Long.toString(start));
        summary.put("prime_frames", "0");
        String clientKey = new String(client, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!queue.hasRoom(clientKey)) {
            throw new ProtocolException(ErrorCode.QUEUE_FULL, "this client already has the most queued jobs allowed");
        }
        store.create(id, 1, summary);
        live.put(id, job);
        send(client, new Accepted(e.req(), id));
        queue.offer(clientKey, job);
        LOG.info("job {}: extends {} candidate {} by {} frames", id, e.job(), e.candidate(), frames);
    }

    private static float[] monoOf(float[] interleaved, int channels) {
        if (channels == 1) {
            return interleaved;
        }
        float[] mono = new float[interleaved.length / channels];
        for (int i = 0; i < mono.length; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += interleaved[i * channels + c];
            }
            mono[i] = sum / channels;
        }
        return mono;
    }

    /** The stretch of a stereo prime (its end) whose image its takes get: bounds what a queued job holds. */
    private static final int IMAGE_SECONDS = 20;

    /**
     * How a stereo job's mono takes become stereo: the image of {@code interleaved} (the prime, or the take
     * being extended; its last {@link #IMAGE_SECONDS}) given to each take, with {@code before} (that audio's
     * downmix) as the take's past. Measured by the worker, once, not on the thread that answers clients.
     */
    private static java.util.function.UnaryOperator<float[]> widener(float[] interleaved, int channels, int rate,
                                                                       float[] before) {
        if (channels != 2) {
            return null;
        }
        int keep = (int) Math.min(interleaved.length, 2L * IMAGE_SECONDS * rate);
        float[] end = java.util.Arrays.copyOfRange(interleaved, interleaved.length - keep, interleaved.length);
        return new java.util.function.UnaryOperator<>() {
            private StereoImage image;

            @Override
            public float[] apply(float[] take) {
                if (image == null) {
                    image = StereoImage.measure(end, 2, rate);
                }
                return image.render(take, before);
            }
        };
    }

    /** The models are mono: a prime's channels are averaged. */
    private static float[] downmix(Audio audio) {
        return monoOf(audio.toArray(), audio.channels());
    }

    private void cancel(byte[] client, Cancel c) throws IOException {
        Job job = live.get(c.job());
        if (job != null) {
            job.cancelReq = c.req();
            job.cancelClient = client;
            job.cancelled = true; // last: the worker reads the two fields above once it sees this
            if (queue.remove(job)) {
                finishCancelled(job);
            }
            return; // a running job is answered by the worker as soon as it stops, between two tokens
        }
        JobRecord record = store.find(c.job()).orElse(null);
        if (record == null) {
            send(client, new ErrorReply(c.req(), c.job(), ErrorCode.UNKNOWN_JOB, "no job " + c.job()));
        } else {
            sendFinal(client, c.req(), record);
        }
    }

    private void fetch(byte[] client, Fetch f) throws IOException {
        Job job = live.get(f.job());
        if (job != null && job.attach(client, f.req())) { // the rest of the job's messages go to this client too
            send(client, new Accepted(f.req(), f.job()));
            return;
        }
        JobRecord record = store.find(f.job()).orElse(null);
        if (record == null) {
            send(client, new ErrorReply(f.req(), f.job(), ErrorCode.UNKNOWN_JOB, "no job " + f.job()));
            return;
        }
        if (record.state() == JobState.DONE) {
            for (JobRecord.Take take : record.takes()) {
                float[] audio = store.readTake(record.job(), take.candidate());
                long start = Long.parseLong(record.request().getOrDefault("prime_start_sample", "0"))
                        + Long.parseLong(record.request().getOrDefault("prime_frames", "0"));
                sendTake(client, f.req(), record.job(), take.candidate(), take.sampleRate(), take.channels(), start,
                        take.seed(), audio, record.request());
            }
        }
        sendFinal(client, f.req(), record);
    }

    private void sendFinal(byte[] client, long req, JobRecord record) {
        switch (record.state()) {
            case DONE -> send(client, new Done(req, record.job(), record.takes().size()));
            case CANCELLED -> send(client, new ErrorReply(req, record.job(), ErrorCode.CANCELLED, "the job was cancelled"));
            default -> send(client, new ErrorReply(req, record.job(), ErrorCode.INTERNAL,
                    record.error() == null ? "the job failed" : record.error()));
        }
    }

    private void work() {
        while (running) {
            Job job;
            try {
                job = queue.poll(100);
            } catch (InterruptedException e) {
                return;
            }
            if (job != null) {
                run(job);
            }
        }
    }

    private void run(Job job) {
        try {
            store.markRunning(job.id);
            long[] lastProgress = {0};
            long[] levelStart = {System.nanoTime(), -1};
            int rate = job.rate;
            ContinuationEngine.Takes made = job.work.apply(new ContinuationEngine.Monitor() {
                        @Override
                        public void progress(int level, long done, long total) {
                            long now = System.currentTimeMillis();
                            if (levelStart[1] != level) { // a new level: its own token rate
                                levelStart[0] = System.nanoTime();
                                levelStart[1] = level;
                            }
                            if (done == total || now - lastProgress[0] >= PROGRESS_EVERY_MILLIS) {
                                lastProgress[0] = now;
                                long elapsedMs = (System.nanoTime() - levelStart[0]) / 1_000_000;
                                // This level's remaining tokens at its rate so far; lower levels are not known yet.
                                long eta = done <= 0 ? 0 : Math.min(0xFFFF_FFFFL, elapsedMs * (total - Math.min(done, total)) / done);
                                sendAll(job, req -> new Progress(req, job.id, level, Math.min(done, total),
                                        Math.max(1, total), eta));
                            }
                        }

                        @Override
                        public boolean cancelled() {
                            return job.cancelled || !running;
                        }

                        @Override
                        public void stage(int level, String stage) {
                            sendAll(job, req -> new Progress(req, job.id, level, 0, 1, 0, stage));
                        }

                        @Override
                        public void preview(int candidate, long offsetFrames, float[] audio) {
                            if (audio.length > 0) {
                                sendAll(job, req -> new Preview(req, job.id, candidate, rate, offsetFrames,
                                        Audio.of(1, audio)));
                            }
                        }
                    });
            float[][] takes = made.audio();
            long seed = job.seed;
            long start = job.start;
            // The models are mono: a stereo prime's take is the model's take as the mid, with the prime's image.
            int channels = job.channels;
            float[][] out = new float[takes.length][];
            for (int c = 0; c < takes.length; c++) {
                out[c] = channels == 1 ? takes[c] : job.widen != null ? job.widen.apply(takes[c])
                        : duplicate(takes[c], channels);
                if (made.state() != null && made.state()[c] != null) {
                    store.saveState(job.id, c, made.state()[c]); // before the take: a listed take can extend
                }
                store.saveTake(job.id, c, out[c], rate, channels, seed + c);
            }
            store.complete(job.id);
            Map<String, String> request = store.find(job.id).map(JobRecord::request)
                    .orElse(Map.of("prior", job.prior, "quality", job.quality));
            List<Subscriber> subscribers = job.end();
            for (Subscriber sub : subscribers) {
                for (int c = 0; c < takes.length; c++) {
                    sendTake(sub.client(), sub.req(), job.id, c, rate, channels, start, seed + c, out[c], request);
                }
            }
            for (Subscriber sub : subscribers) {
                send(sub.client(), new Done(sub.req(), job.id, takes.length));
            }
            LOG.info("job {} done", job.id);
        } catch (RuntimeException | IOException e) {
            if (job.cancelled) {
                finishCancelled(job);
            } else {
                LOG.error("job {} failed", job.id, e);
                String reason = running ? String.valueOf(e.getMessage()) : "the daemon shut down";
                try {
                    store.fail(job.id, reason);
                } catch (IOException | RuntimeException stored) {
                    LOG.error("could not record the failure of job {}", job.id, stored);
                }
                for (Subscriber sub : job.end()) {
                    send(sub.client(), new ErrorReply(sub.req(), job.id, ErrorCode.INTERNAL, reason));
                }
            }
        } finally {
            live.remove(job.id);
        }
    }

    private void finishCancelled(Job job) {
        try {
            store.cancel(job.id);
        } catch (IOException | RuntimeException e) {
            LOG.error("could not record the cancellation of job {}", job.id, e);
        }
        live.remove(job.id);
        for (Subscriber sub : job.end()) {
            if (!java.util.Arrays.equals(sub.client(), job.cancelClient)) { // the canceller is answered below
                send(sub.client(), new ErrorReply(sub.req(), job.id, ErrorCode.CANCELLED, "cancelled"));
            }
        }
        send(job.cancelClient, new ErrorReply(job.cancelReq, job.id, ErrorCode.CANCELLED, "cancelled"));
    }

    /**
     * One candidate in chunks of at most the protocol's per-message audio bound. Its metadata: the prior and
     * tier, and where the take sits in the DAW's bars (tempo_bpm, time_sig, start_bar: the 0-based bar the take
     * starts on) when the job's request recorded them, so a client can name the file as the plugin names stems.
     */
    private void sendTake(byte[] client, long req, String job, int candidate, int rate, int channels, long start,
                          long seed, float[] interleaved, Map<String, String> request) {
        Map<String, String> metadata = takeMetadata(request);
        int total = interleaved.length / channels;
        int chunk = Bounds.MAX_AUDIO_SECONDS * rate;
        for (int offset = 0; offset < total; offset += chunk) {
            int n = Math.min(chunk, total - offset);
            float[] part = java.util.Arrays.copyOfRange(interleaved, offset * channels, (offset + n) * channels);
            send(client, new Result(req, job, candidate, rate, start, total, offset, seed, metadata,
                    Audio.of(channels, part)));
        }
    }

    private static Map<String, String> takeMetadata(Map<String, String> request) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("prior", request.getOrDefault("prior", "unknown"));
        m.put("quality", request.getOrDefault("quality", "sketch"));
        try {
            double bpm = Double.parseDouble(request.get("tempo_bpm"));
            String[] sig = request.get("time_sig").split("/");
            double bar = Double.parseDouble(request.get("prime_start_bar"));
            double primeSeconds = Long.parseLong(request.get("prime_frames")) / Double.parseDouble(request.get("sample_rate"));
            double secondsPerBar = 240.0 * Integer.parseInt(sig[0]) / (Integer.parseInt(sig[1]) * bpm);
            m.put("tempo_bpm", request.get("tempo_bpm"));
            m.put("time_sig", request.get("time_sig"));
            m.put("start_bar", Double.toString(bar + primeSeconds / secondsPerBar));
        } catch (RuntimeException e) {
            // A request recorded without them (an extension, an older record): the take carries no bar.
        }
        return m;
    }

    private static float[] duplicate(float[] mono, int channels) {
        float[] out = new float[mono.length * channels];
        for (int i = 0; i < mono.length; i++) {
            for (int c = 0; c < channels; c++) {
                out[i * channels + c] = mono[i];
            }
        }
        return out;
    }

    /** One message per client attached to the job, each with the req that client attached with. */
    private void sendAll(Job job, java.util.function.LongFunction<Message> message) {
        for (Subscriber sub : job.subscribers) {
            send(sub.client(), message.apply(sub.req()));
        }
    }

    private void send(byte[] client, Message m) {
        outbox.add(new Outgoing(client, m));
    }

    @Override
    public void close() {
        running = false;
        for (Job job : live.values()) {
            job.cancelled = false; // not the client's doing: the worker records it as failed
        }
        if (worker != null) {
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
