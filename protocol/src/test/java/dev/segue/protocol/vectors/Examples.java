package dev.segue.protocol.vectors;

import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The valid example messages behind the golden vectors, by vector name. Audio is short and made
 * of exactly representable values so every language reproduces the same bytes.
 */
public final class Examples {
    private Examples() {}

    public record Example(String name, String about, Message message) {}

    public static final long UINT32_MAX = Bounds.MAX_UINT32;
    public static final long UINT64_MAX = -1L; // all 64 bits set

    public static List<Example> all() {
        return List.of(
                ex("hello", "client opens a session", new Hello(1, "segue-cli", "0.1.0", 1)),
                ex("hello_unicode", "4-byte UTF-8 in a name, want_version above 1",
                        new Hello(2, "Segue \u2014 B\u00fchne \uD83C\uDFB9", "2.0.0-beta+7", 3)),
                ex("capabilities", "daemon reply to hello", new Capabilities(1, "0.1.0", 1,
                        List.of("segue-default", "jukebox-5b-lyrics"), List.of("sketch-fast", "full-4bars"),
                        Limits.protocolMaximum())),
                ex("capabilities_strict", "a daemon advertising tighter limits, empty lists",
                        new Capabilities(9, "0.1.0", 1, List.of(), List.of(), new Limits(1 << 20, 12, 4, 32, 60))),
                ex("capabilities_unread", "a daemon advertising its bound on unread replies (optional max_unread)",
                        new Capabilities(10, "0.1.0", 1, List.of("segue-default"), List.of("sketch"),
                                new Limits(1 << 20, 60, 16, 256, 600, 1000))),
                ex("list_priors", "", new ListPriors(3)),
                ex("priors", "two priors", new Priors(3, List.of(
                        new PriorInfo("segue-default", 3, 44100, false),
                        new PriorInfo("jukebox-5b-lyrics", 3, 44100, true)))),
                ex("priors_empty", "no prior available", new Priors(4, List.of())),
                ex("priors_optional", "the optional weight_bytes, loaded and max_quality, on one prior of two",
                        new Priors(6, List.of(new PriorInfo("segue-default", 3, 16000, false, 24_000_000L, true,
                                Quality.DRAFT), new PriorInfo("jukebox-5b", 3, 44100, true)))),
                ex("list_presets", "", new ListPresets(5)),
                ex("presets", "two presets, one with an empty description", new Presets(5, List.of(
                        new PresetInfo("sketch-fast", "segue-default", "Top level only; a few seconds per bar."),
                        new PresetInfo("full-4bars", "segue-default", "")))),
                ex("submit_bars", "stereo 48 kHz prime, length in bars, top_k", submitBars()),
                ex("submit_seconds_labels", "mono 44.1 kHz, length in seconds, top_p, artist/genre/lyrics, seed 2^64-1",
                        submitSecondsLabels()),
                ex("submit_edges_min", "lowest bounds: 8 kHz mono 1 frame, 20 bpm 1/1, smallest temperature",
                        submitEdgesMin()),
                ex("submit_edges_max", "highest bounds: 192 kHz stereo, 400 bpm 32/32, 16 candidates, 8 levels",
                        submitEdgesMax()),
                ex("submit_length_at_limit", "250 bars at 100 bpm 4/4 is exactly 600 s: allowed", submitAtLimit()),
                ex("submit_audio_edges", "-0.0, subnormals and +-FLT_MAX survive bit-exact", submitAudioEdges()),
                ex("accepted", "", new Accepted(10, "j20250101-0001_a")),
                ex("progress", "", new Progress(10, "j20250101-0001_a", 2, 1234, 8192, 45_000)),
                ex("progress_edges", "req, tokens and eta at uint32 max, level 7",
                        new Progress(UINT32_MAX, "J", 7, UINT32_MAX, UINT32_MAX, UINT32_MAX)),
                ex("preview", "early chunk of candidate 1", new Preview(10, "j20250101-0001_a", 1, 48000, 0,
                        Audio.of(2, ramp(16, 16)))),
                ex("result", "whole candidate in one chunk, with metadata", result()),
                ex("result_chunk", "last chunk of a long candidate; metadata keys in UTF-8 byte order", resultChunk()),
                ex("done", "", new Done(10, "j20250101-0001_a", 4)),
                ex("error", "job cancelled", new ErrorReply(11, "j20250101-0001_a", ErrorCode.CANCELLED,
                        "cancelled by client")),
                ex("error_no_job", "request rejected before a job existed", new ErrorReply(12, null,
                        ErrorCode.BAD_MESSAGE, "request.candidates: 17 outside 1..16")),
                ex("error_unsolicited", "req 0, empty text", new ErrorReply(0, null, ErrorCode.INTERNAL, "")),
                ex("cancel", "", new Cancel(13, "j20250101-0001_a")),
                ex("extend_bars", "", new Extend(14, "j20250101-0001_a", 3, new Length.Bars(8))),
                ex("extend_seconds", "", new Extend(15, "j20250101-0001_a", 15, new Length.Seconds(0.5))),
                ex("fetch", "", new Fetch(16, "j20250101-0001_a")),
                ex("heartbeat", "", new Heartbeat(17, 123_456_789)),
                ex("heartbeat_edges", "req uint32 max, t_ms int64 max", new Heartbeat(UINT32_MAX, Long.MAX_VALUE)),
                ex("list_jobs", "", new ListJobs(18)),
                ex("jobs", "a running and a finished job, newest first", new Jobs(18, List.of(
                        new JobInfo("j20250101-0002_b", JobState.RUNNING, 4, 1, 1_735_689_600_500L,
                                "4.0 s prime, 8 bars at 120 bpm 4/4"),
                        new JobInfo("j20250101-0001_a", JobState.DONE, 2, 2, 1_735_689_600_000L, "")))),
                ex("jobs_empty", "no job yet", new Jobs(19, List.of())),
                ex("list_labels", "the first page of a prior's artist list", new ListLabels(20, "jukebox-5b-lyrics",
                        LabelKind.ARTIST, 0, 128)),
                ex("list_labels_edges", "genre, offset uint32 max, limit 1, of the prior the daemon ships as 'default'",
                        new ListLabels(21, "default", LabelKind.GENRE, UINT32_MAX, 1)),
                ex("labels", "the last page of a long artist list, 2-byte UTF-8 in a name", new Labels(20,
                        "jukebox-5b-lyrics", LabelKind.ARTIST, 7898, 7895, List.of("The Velvet Kestrels",
                                "Marisol Okonkwo-Brandt", "Sigur R\u00f3s Tribute Choir"))),
                ex("labels_full_page", "128 genre names, the last one 128 bytes", new Labels(22, "jukebox-5b-lyrics",
                        LabelKind.GENRE, 604, 128, fullPage())),
                ex("labels_past_end", "an offset past the end of a 5-name list: an empty page and the total",
                        new Labels(23, "jukebox-5b-lyrics", LabelKind.GENRE, 5, 10, List.of())),
                ex("labels_none", "a prior that ships no list: total 0", new Labels(24, "segue-default",
                        LabelKind.ARTIST, 0, 0, List.of())),
                ex("get_stats", "", new GetStats(25)),
                ex("stats", "a daemon an hour up with one job running and two queued", new Stats(25, 3_600_000,
                        712_507_392, 268_435_456, 41_943_040, 1_073_741_824, 400, 2, 1, 390, 3, 6, 11, 0, 0)),
                ex("stats_edges", "req uint32 max, every count 0 but the byte counts at int64 max",
                        new Stats(UINT32_MAX, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0, 0,
                                0, 0, 0, 0, 0, 0, 0)));
    }

    /** A full page of genre names: 127 short ones, then one of exactly 128 bytes. */
    private static List<String> fullPage() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 127; i++) {
            names.add("genre " + (128 + i));
        }
        names.add("g".repeat(Bounds.MAX_NAME_BYTES));
        return names;
    }

    public static Message get(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow().message();
    }

    private static Example ex(String name, String about, Message m) {
        return new Example(name, about, m);
    }

    /** {@code n} samples cycling through k/16 - 0.5 for k in 0..period-1: exact in float32. */
    public static float[] ramp(int n, int period) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (i % period) / 16f - 0.5f;
        }
        return s;
    }

    static Submit submitBars() {
        return new Submit(6, new DawContext(48000, 120.0, 4, 4, 96_000, 1.0),
                new GenerationRequest("segue-default", "full-4bars", new Length.Bars(4), 4, Quality.DRAFT,
                        List.of(0.99, 0.99, 0.99), 200, null, 42, null, null, null),
                Audio.of(2, ramp(32, 32)));
    }

    private static Submit submitSecondsLabels() {
        return new Submit(7, new DawContext(44100, 97.5, 7, 8, 1_234_567, 12.375),
                new GenerationRequest("jukebox-5b-lyrics", "sketch-fast", new Length.Seconds(12.5), 2, Quality.SKETCH,
                        List.of(1.0, 0.98, 0.97), null, 0.95, UINT64_MAX, "Los Tr\u00f3picos", "bossa nova",
                        "Olha que coisa mais linda\nmais cheia de gra\u00e7a \u266b"),
                Audio.of(1, ramp(8, 8)));
    }

    private static Submit submitEdgesMin() {
        return new Submit(0, new DawContext(8000, 20.0, 1, 1, 0, 0.0),
                new GenerationRequest("p", "q", new Length.Bars(Double.MIN_VALUE), 1, Quality.SKETCH,
                        List.of(Double.MIN_VALUE), 0, null, 0, "a", "g", ""),
                Audio.of(1, new float[] {0f}));
    }

    private static Submit submitEdgesMax() {
        String name128 = "n".repeat(Bounds.MAX_NAME_BYTES);
        return new Submit(UINT32_MAX, new DawContext(192000, 400.0, 32, 32, Long.MAX_VALUE, 1.0e9),
                new GenerationRequest(name128, name128, new Length.Seconds(600), 16, Quality.FULL,
                        List.of(10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0), null, 1.0, Long.MIN_VALUE,
                        name128, name128, "\u00e9".repeat(Bounds.MAX_LYRICS_BYTES / 2)),
                Audio.of(2, ramp(8, 8)));
    }

    private static Submit submitAtLimit() {
        return new Submit(8, new DawContext(48000, 100.0, 4, 4, 0, 0.0),
                new GenerationRequest("segue-default", "full-4bars", new Length.Bars(250), 1, Quality.FULL,
                        List.of(0.99, 0.99, 0.99), 2048, null, 7, null, null, null),
                Audio.of(2, ramp(4, 4)));
    }

    private static Submit submitAudioEdges() {
        float[] s = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
            1f, -1f, Float.MIN_NORMAL, 0.1f};
        return new Submit(9, new DawContext(48000, 120.0, 4, 4, 0, 0.0),
                new GenerationRequest("segue-default", "sketch-fast", new Length.Bars(1), 1, Quality.SKETCH,
                        List.of(1.0), null, 0.0, 1, null, null, null),
                Audio.of(2, s));
    }

    private static Result result() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("prior", "segue-default");
        meta.put("preset", "full-4bars");
        meta.put("sampling_ms", "8123");
        return new Result(10, "j20250101-0001_a", 0, 48000, 96_032, 16, 0, 42, meta, Audio.of(2, ramp(32, 32)));
    }

    private static Result resultChunk() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("\uD83D\uDE00", "U+1F600: after U+FF5E in UTF-8 order, before it in UTF-16 order");
        meta.put("\uFF5E", "U+FF5E");
        meta.put("Z", "upper case sorts first");
        meta.put("a", "");
        return new Result(10, "j20250101-0001_a", 15, 44100, 0, Bounds.maxContinuationFrames(44100),
                Bounds.maxContinuationFrames(44100) - 3, UINT64_MAX, meta, Audio.of(1, ramp(3, 3)));
    }
}
