package dev.segue.protocol;

import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.MessageType;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Stats;
import dev.segue.protocol.message.Submit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Header map (+ audio) to message record, one method per type. Reads fields in the documented
 * order and leaves value bounds to the record constructors, except where a bound must hold
 * before the audio frame is touched (rate, channels, frames).
 */
final class MessageDecoder {
    private MessageDecoder() {}

    static Message decode(MessageType type, long req, MapView h, byte[] audio) {
        return switch (type) {
            case HELLO -> new Hello(req, name(h, "client"), name(h, "client_version"), h.get("want_version").int32());
            case CAPABILITIES -> capabilities(req, h);
            case LIST_PRIORS -> new ListPriors(req);
            case PRIORS -> priors(req, h);
            case LIST_PRESETS -> new ListPresets(req);
            case PRESETS -> presets(req, h);
            case SUBMIT -> submit(req, h, audio);
            case ACCEPTED -> new Accepted(req, job(h));
            case PROGRESS -> new Progress(req, job(h), h.get("level").int32(), h.get("tokens_done").int64(),
                    h.get("tokens_total").int64(), h.get("eta_ms").int64(), optName(h, "stage"));
            case PREVIEW -> preview(req, h, audio);
            case RESULT -> result(req, h, audio);
            case DONE -> new Done(req, job(h), h.get("candidates").int32());
            case ERROR -> error(req, h);
            case CANCEL -> new Cancel(req, job(h));
            case EXTEND -> new Extend(req, job(h), h.get("candidate").int32(), length(h));
            case FETCH -> new Fetch(req, job(h));
            case HEARTBEAT -> new Heartbeat(req, h.get("t_ms").int64());
            case LIST_JOBS -> new ListJobs(req);
            case JOBS -> jobs(req, h);
            case LIST_LABELS -> listLabels(req, h);
            case LABELS -> labels(req, h);
            case GET_STATS -> new GetStats(req);
            case STATS -> stats(req, h);
        };
    }

    private static Capabilities capabilities(long req, MapView h) {
        String daemon = name(h, "daemon_version");
        int protocol = h.get("protocol").int32();
        List<String> priors = names(h.get("priors"));
        List<String> presets = names(h.get("presets"));
        MapView l = h.get("limits").map();
        Slot unread = l.opt("max_unread");
        Limits limits = new Limits(l.get("max_message_bytes").int32(), l.get("max_prime_seconds").int32(),
                l.get("max_candidates").int32(), l.get("max_length_bars").int32(), l.get("max_length_seconds").int32(),
                unread == null ? null : unread.int32());
        return new Capabilities(req, daemon, protocol, priors, presets, limits);
    }

    private static Priors priors(long req, MapView h) {
        List<PriorInfo> out = new ArrayList<>();
        for (Slot s : h.get("priors").array(Bounds.MAX_LIST_ENTRIES)) {
            MapView p = s.map();
            Slot bytes = p.opt("weight_bytes");
            Slot loaded = p.opt("loaded");
            Slot deepest = p.opt("max_quality");
            out.add(new PriorInfo(name(p, "name"), p.get("levels").int32(), p.get("sample_rate").int32(),
                    p.get("labels").bool(), bytes == null ? null : bytes.int64(), loaded == null ? null : loaded.bool(),
                    deepest == null ? null : quality("priors[].max_quality", deepest)));
        }
        return new Priors(req, out);
    }

    private static Presets presets(long req, MapView h) {
        List<PresetInfo> out = new ArrayList<>();
        for (Slot s : h.get("presets").array(Bounds.MAX_LIST_ENTRIES)) {
            MapView p = s.map();
            out.add(new PresetInfo(name(p, "name"), name(p, "prior"), p.get("description").string(Bounds.MAX_TEXT_BYTES)));
        }
        return new Presets(req, out);
    }

    private static Jobs jobs(long req, MapView h) {
        List<JobInfo> out = new ArrayList<>();
        for (Slot s : h.get("jobs").array(Bounds.MAX_LIST_ENTRIES)) {
            MapView j = s.map();
            String job = job(j);
            String st = j.get("state").string(Bounds.MAX_NAME_BYTES);
            JobState state = JobState.fromWire(st).orElseThrow(() -> Check.bad("jobs[].state", "'" + st
                    + "' not one of queued, running, done, failed, cancelled"));
            out.add(new JobInfo(job, state, j.get("candidates").int32(), j.get("takes_done").int32(),
                    j.get("created_ms").int64(), j.get("label").string(Bounds.MAX_TEXT_BYTES)));
        }
        return new Jobs(req, out);
    }

    private static Stats stats(long req, MapView h) {
        long[] v = new long[Stats.KEYS.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = h.get(Stats.KEYS[i]).int64();
        }
        return Stats.of(req, v);
    }

    private static ListLabels listLabels(long req, MapView h) {
        String prior = name(h, "prior");
        LabelKind kind = labelKind(h);
        long offset = h.get("offset").int64();
        long limit = h.get("limit").int64(); // any int64: a huge limit is TOO_LARGE, as in every codec, not "not an int32"
        if (limit > Bounds.MAX_LIST_ENTRIES) {
            throw Check.tooLarge("limit", limit + " exceeds " + Bounds.MAX_LIST_ENTRIES);
        }
        return new ListLabels(req, prior, kind, offset, (int) Check.range("limit", limit, 1, Bounds.MAX_LIST_ENTRIES));
    }

    private static Labels labels(long req, MapView h) {
        String prior = name(h, "prior");
        LabelKind kind = labelKind(h);
        long total = h.get("total").int64();
        long offset = h.get("offset").int64();
        List<String> names = new ArrayList<>();
        for (Slot s : h.get("names").array(Bounds.MAX_LIST_ENTRIES)) {
            names.add(s.string(Bounds.MAX_NAME_BYTES));
        }
        return new Labels(req, prior, kind, total, offset, names);
    }

    private static LabelKind labelKind(MapView m) {
        String k = m.get("kind").string(Bounds.MAX_NAME_BYTES);
        return LabelKind.fromWire(k).orElseThrow(() -> Check.bad(m.path("kind"), "'" + k + "' not one of artist, genre"));
    }

    private static Submit submit(long req, MapView h, byte[] audio) {
        MapView c = h.get("context").map();
        int rate = Check.sampleRate("context.sample_rate", c.get("sample_rate").int32());
        int channels = (int) Check.range("context.channels", c.get("channels").int32(), 1, Bounds.MAX_CHANNELS);
        long frames = Check.audioFrames("context.frames", c.get("frames").int64(), rate);
        DawContext context = new DawContext(rate, c.get("tempo_bpm").float64(), c.get("time_sig_num").int32(),
                c.get("time_sig_den").int32(), c.get("prime_start_sample").int64(), c.get("prime_start_bar").float64());
        GenerationRequest request = request(h.get("request").map());
        return new Submit(req, context, request, AudioCodec.decode(audio, channels, frames, "context.frames"));
    }

    private static Quality quality(String path, Slot slot) {
        String q = slot.string(Bounds.MAX_NAME_BYTES);
        return Quality.fromWire(q).orElseThrow(() -> Check.bad(path, "'" + q + "' not one of sketch, draft, full"));
    }

    private static GenerationRequest request(MapView r) {
        String prior = name(r, "prior");
        String preset = name(r, "preset");
        Length length = length(r);
        int candidates = r.get("candidates").int32();
        Quality quality = quality("request.quality", r.get("quality"));
        List<Double> temperatures = new ArrayList<>();
        for (Slot s : r.get("temperatures").array(Bounds.MAX_LEVELS)) {
            temperatures.add(s.float64());
        }
        Slot k = r.opt("top_k");
        Slot p = r.opt("top_p");
        long seed = r.get("seed").uint64();
        return new GenerationRequest(prior, preset, length, candidates, quality, temperatures,
                k == null ? null : k.int32(), p == null ? null : p.float64(), seed,
                optName(r, "artist"), optName(r, "genre"), optText(r, "lyrics", Bounds.MAX_LYRICS_BYTES));
    }

    private static Preview preview(long req, MapView h, byte[] audio) {
        String job = job(h);
        int candidate = h.get("candidate").int32();
        int rate = Check.sampleRate("sample_rate", h.get("sample_rate").int32());
        int channels = (int) Check.range("channels", h.get("channels").int32(), 1, Bounds.MAX_CHANNELS);
        long offset = h.get("offset_frames").int64();
        long frames = Check.audioFrames("frames", h.get("frames").int64(), rate);
        return new Preview(req, job, candidate, rate, offset, AudioCodec.decode(audio, channels, frames, "frames"));
    }

    private static Result result(long req, MapView h, byte[] audio) {
        String job = job(h);
        int candidate = h.get("candidate").int32();
        int rate = Check.sampleRate("sample_rate", h.get("sample_rate").int32());
        int channels = (int) Check.range("channels", h.get("channels").int32(), 1, Bounds.MAX_CHANNELS);
        long start = h.get("start_sample").int64();
        long total = h.get("total_frames").int64();
        long offset = h.get("offset_frames").int64();
        long frames = Check.audioFrames("frames", h.get("frames").int64(), rate);
        long seed = h.get("seed").uint64();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Slot> e : h.get("metadata").map().entries().entrySet()) {
            metadata.put(e.getKey(), e.getValue().string(Bounds.MAX_TEXT_BYTES));
        }
        return new Result(req, job, candidate, rate, start, total, offset, seed, metadata,
                AudioCodec.decode(audio, channels, frames, "frames"));
    }

    private static ErrorReply error(long req, MapView h) {
        Slot j = h.opt("job");
        String job = j == null ? null : j.string(Bounds.MAX_NAME_BYTES);
        String c = h.get("code").string(Bounds.MAX_NAME_BYTES);
        ErrorCode code = ErrorCode.fromWire(c).orElseThrow(() -> Check.bad("code", "unknown error code '" + c + "'"));
        return new ErrorReply(req, job, code, h.get("text").string(Bounds.MAX_TEXT_BYTES));
    }

    /** Exactly one of length_bars / length_seconds. */
    private static Length length(MapView m) {
        Slot bars = m.opt("length_bars");
        Slot seconds = m.opt("length_seconds");
        if ((bars == null) == (seconds == null)) {
            throw bars == null
                    ? Check.bad(m.path("length_bars|length_seconds"), "missing, need exactly one")
                    : Check.bad(m.path("length_bars"), "length_bars and length_seconds are exclusive");
        }
        return bars != null ? new Length.Bars(bars.float64()) : new Length.Seconds(seconds.float64());
    }

    private static String job(MapView m) {
        return m.get("job").string(Bounds.MAX_NAME_BYTES);
    }

    private static String name(MapView m, String key) {
        return m.get(key).string(Bounds.MAX_NAME_BYTES);
    }

    private static String optName(MapView m, String key) {
        return optText(m, key, Bounds.MAX_NAME_BYTES);
    }

    private static String optText(MapView m, String key, int max) {
        Slot s = m.opt(key);
        return s == null ? null : s.string(max);
    }

    private static List<String> names(Slot s) {
        List<String> out = new ArrayList<>();
        for (Slot e : s.array(Bounds.MAX_LIST_ENTRIES)) {
            out.add(e.string(Bounds.MAX_NAME_BYTES));
        }
        return out;
    }
}
