package dev.segue.protocol;

import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Stats;
import dev.segue.protocol.message.Submit;
import java.util.ArrayList;
import java.util.List;

/**
 * Message record to header map. The order of the calls below IS the canonical key order of
 * PROTOCOL.md; change one only together with the spec and the golden vectors.
 */
final class MessageEncoder {
    private MessageEncoder() {}

    static byte[] header(Message m) {
        MapWriter w = new MapWriter()
                .i64("v", Bounds.PROTOCOL_VERSION)
                .str("type", m.type().wire())
                .i64("req", m.req());
        switch (m.type()) {
            case HELLO -> {
                Hello h = (Hello) m;
                w.str("client", h.client()).str("client_version", h.clientVersion()).i64("want_version", h.wantVersion());
            }
            case CAPABILITIES -> capabilities(w, (Capabilities) m);
            case LIST_PRIORS, LIST_PRESETS, LIST_JOBS, GET_STATS -> { }
            case PRIORS -> {
                List<MapWriter> list = new ArrayList<>();
                for (PriorInfo p : ((Priors) m).priors()) {
                    list.add(new MapWriter().str("name", p.name()).i64("levels", p.levels())
                            .i64("sample_rate", p.sampleRate()).bool("labels", p.labels())
                            .optI64("weight_bytes", p.weightBytes()).optBool("loaded", p.loaded())
                            .optStr("max_quality", p.maxQuality() == null ? null : p.maxQuality().wire()));
                }
                w.maps("priors", list);
            }
            case PRESETS -> {
                List<MapWriter> list = new ArrayList<>();
                for (PresetInfo p : ((Presets) m).presets()) {
                    list.add(new MapWriter().str("name", p.name()).str("prior", p.prior()).str("description", p.description()));
                }
                w.maps("presets", list);
            }
            case SUBMIT -> submit(w, (Submit) m);
            case ACCEPTED -> w.str("job", ((Accepted) m).job());
            case PROGRESS -> {
                Progress p = (Progress) m;
                w.str("job", p.job()).i64("level", p.level()).i64("tokens_done", p.tokensDone())
                        .i64("tokens_total", p.tokensTotal()).i64("eta_ms", p.etaMs()).optStr("stage", p.stage());
            }
            case PREVIEW -> {
                Preview p = (Preview) m;
                w.str("job", p.job()).i64("candidate", p.candidate()).i64("sample_rate", p.sampleRate())
                        .i64("channels", p.audio().channels()).i64("offset_frames", p.offsetFrames())
                        .i64("frames", p.audio().frames());
            }
            case RESULT -> result(w, (Result) m);
            case DONE -> w.str("job", ((Done) m).job()).i64("candidates", ((Done) m).candidates());
            case ERROR -> {
                ErrorReply e = (ErrorReply) m;
                w.optStr("job", e.job()).str("code", e.code().name()).str("text", e.text());
            }
            case CANCEL -> w.str("job", ((Cancel) m).job());
            case EXTEND -> {
                Extend e = (Extend) m;
                w.str("job", e.job()).i64("candidate", e.candidate()).f64(e.length().key(), e.length().value());
            }
            case FETCH -> w.str("job", ((Fetch) m).job());
            case HEARTBEAT -> w.i64("t_ms", ((Heartbeat) m).tMs());
            case JOBS -> {
                List<MapWriter> list = new ArrayList<>();
                for (JobInfo j : ((Jobs) m).jobs()) {
                    list.add(new MapWriter().str("job", j.job()).str("state", j.state().wire())
                            .i64("candidates", j.candidates()).i64("takes_done", j.takesDone())
                            .i64("created_ms", j.createdMs()).str("label", j.label()));
                }
                w.maps("jobs", list);
            }
            case LIST_LABELS -> {
                ListLabels l = (ListLabels) m;
                w.str("prior", l.prior()).str("kind", l.kind().wire()).i64("offset", l.offset()).i64("limit", l.limit());
            }
            case LABELS -> {
                Labels l = (Labels) m;
                w.str("prior", l.prior()).str("kind", l.kind().wire()).i64("total", l.total()).i64("offset", l.offset())
                        .strings("names", l.names());
            }
            case STATS -> {
                long[] v = ((Stats) m).values();
                for (int i = 0; i < v.length; i++) {
                    w.i64(Stats.KEYS[i], v[i]);
                }
            }
        }
        return w.toBytes();
    }

    private static void capabilities(MapWriter w, Capabilities c) {
        Limits l = c.limits();
        w.str("daemon_version", c.daemonVersion()).i64("protocol", c.protocol())
                .strings("priors", c.priors()).strings("presets", c.presets())
                .map("limits", new MapWriter()
                        .i64("max_message_bytes", l.maxMessageBytes()).i64("max_prime_seconds", l.maxPrimeSeconds())
                        .i64("max_candidates", l.maxCandidates()).i64("max_length_bars", l.maxLengthBars())
                        .i64("max_length_seconds", l.maxLengthSeconds())
                        .optI64("max_unread", l.maxUnread() == null ? null : (long) l.maxUnread()));
    }

    private static void submit(MapWriter w, Submit s) {
        DawContext c = s.context();
        w.map("context", new MapWriter()
                .i64("sample_rate", c.sampleRate()).i64("channels", s.prime().channels()).i64("frames", s.prime().frames())
                .f64("tempo_bpm", c.tempoBpm()).i64("time_sig_num", c.timeSigNum()).i64("time_sig_den", c.timeSigDen())
                .i64("prime_start_sample", c.primeStartSample()).f64("prime_start_bar", c.primeStartBar()));
        GenerationRequest r = s.request();
        MapWriter rw = new MapWriter().str("prior", r.prior()).str("preset", r.preset())
                .f64(r.length().key(), r.length().value()).i64("candidates", r.candidates())
                .str("quality", r.quality().wire()).doubles("temperatures", r.temperatures());
        if (r.topK() != null) {
            rw.i64("top_k", r.topK());
        }
        if (r.topP() != null) {
            rw.f64("top_p", r.topP());
        }
        rw.u64("seed", r.seed()).optStr("artist", r.artist()).optStr("genre", r.genre()).optStr("lyrics", r.lyrics());
        w.map("request", rw);
    }

    private static void result(MapWriter w, Result r) {
        MapWriter meta = new MapWriter();
        r.metadata().forEach(meta::str); // the record keeps metadata sorted in UTF-8 byte order
        w.str("job", r.job()).i64("candidate", r.candidate()).i64("sample_rate", r.sampleRate())
                .i64("channels", r.audio().channels()).i64("start_sample", r.startSample())
                .i64("total_frames", r.totalFrames()).i64("offset_frames", r.offsetFrames())
                .i64("frames", r.audio().frames()).u64("seed", r.seed()).map("metadata", meta);
    }
}
