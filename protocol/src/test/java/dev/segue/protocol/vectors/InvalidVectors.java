package dev.segue.protocol.vectors;

import static dev.segue.protocol.ErrorCode.BAD_AUDIO;
import static dev.segue.protocol.ErrorCode.BAD_MESSAGE;
import static dev.segue.protocol.ErrorCode.BAD_SAMPLE_RATE;
import static dev.segue.protocol.ErrorCode.TOO_LARGE;
import static dev.segue.protocol.ErrorCode.UNSUPPORTED_VERSION;
import static dev.segue.protocol.vectors.Edits.concat;
import static dev.segue.protocol.vectors.Edits.edit;
import static dev.segue.protocol.vectors.Edits.frames;
import static dev.segue.protocol.vectors.Edits.nested;
import static dev.segue.protocol.vectors.Edits.put;
import static dev.segue.protocol.vectors.Edits.putIn;
import static dev.segue.protocol.vectors.Edits.raw;
import static dev.segue.protocol.vectors.Edits.remove;
import static dev.segue.protocol.vectors.Edits.removeIn;
import static dev.segue.protocol.vectors.Edits.sub;
import static dev.segue.protocol.vectors.Edits.withAudio;
import static dev.segue.protocol.vectors.Edits.withSample;

import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.vectors.HeaderTree.Pairs;
import dev.segue.protocol.vectors.HeaderTree.Raw;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Invalid messages, each a valid example with exactly one fault, and the error every decoder must
 * give: {@code field} is the wire path the Java codec names (informative; the code is normative).
 */
public final class InvalidVectors {
    private InvalidVectors() {}

    public record Invalid(String name, ErrorCode code, String field, String about, List<byte[]> frames) {}

    public static List<Invalid> all() {
        List<Invalid> v = new ArrayList<>();
        framing(v);
        header(v);
        audio(v);
        context(v);
        request(v);
        others(v);
        return v;
    }

    private static void framing(List<Invalid> v) {
        v.add(bad("no_frames", "frames", "zero frames", List.of()));
        v.add(bad("three_frames", "frames", "header, audio, and one frame too many",
                concatLists(frames("submit_bars"), List.of(new byte[4]))));
        v.add(bad("empty_header", "header", "frame 0 has no bytes", raw(new byte[0])));
        byte[] h = frames("submit_bars").get(0);
        v.add(bad("header_truncated", "context", "frame 0 cut in half",
                List.of(Arrays.copyOf(h, h.length / 2), frames("submit_bars").get(1))));
        v.add(bad("header_not_map", "header", "frame 0 is an array", raw(HeaderTree.write(List.of(1L, "hello", 1L)))));
        v.add(bad("header_trailing_bytes", "header", "a nil after the header map",
                raw(concat(frames("heartbeat").get(0), new byte[] {(byte) 0xc0}))));
        v.add(bad("header_never_used_byte", "t_ms", "0xc1 (never used in msgpack) as a value",
                edit("heartbeat", put("t_ms", new Raw(new byte[] {(byte) 0xc1})))));
        v.add(bad("key_not_string", "keys[3]", "an integer map key",
                raw(HeaderTree.write(new Pairs(List.of("v", 1L, "type", "heartbeat", "req", 1L, 4L, 5L, "t_ms", 1L))))));
        v.add(bad("key_duplicate", "req", "req twice",
                raw(HeaderTree.write(new Pairs(List.of("v", 1L, "type", "heartbeat", "req", 1L, "t_ms", 1L, "req", 2L))))));
        v.add(big("key_too_long", "keys[4]", "an unknown key of 129 bytes",
                edit("heartbeat", put("k".repeat(129), 1L))));
        v.add(big("header_too_many_entries", "header", "65 entries (59 unknown)", edit("hello", h2 -> {
            for (int i = 0; i < 59; i++) {
                h2.put("x" + i, (long) i);
            }
        })));
        v.add(bad("nesting_too_deep", "x", "an unknown field nested 9 levels deep", edit("heartbeat", put("x", nested(8)))));
    }

    private static void header(List<Invalid> v) {
        v.add(bad("v_missing", "v", "", edit("heartbeat", remove("v"))));
        v.add(bad("v_not_integer", "v", "v is \"1\"", edit("heartbeat", put("v", "1"))));
        v.add(new Invalid("v_2", UNSUPPORTED_VERSION, "v", "a future version", edit("heartbeat", put("v", 2L))));
        v.add(new Invalid("v_0", UNSUPPORTED_VERSION, "v", "", edit("heartbeat", put("v", 0L))));
        v.add(bad("type_missing", "type", "", edit("heartbeat", remove("type"))));
        v.add(bad("type_unknown", "type", "a type version 1 does not define", edit("heartbeat", put("type", "bogus"))));
        v.add(bad("type_wrong_case", "type", "\"Heartbeat\": names are exact", edit("heartbeat", put("type", "Heartbeat"))));
        v.add(bad("type_not_string", "type", "", edit("heartbeat", put("type", 17L))));
        v.add(bad("req_missing", "req", "", edit("heartbeat", remove("req"))));
        v.add(bad("req_negative", "req", "", edit("heartbeat", put("req", -1L))));
        v.add(bad("req_over_uint32", "req", "2^32", edit("heartbeat", put("req", 1L << 32))));
        v.add(bad("req_float", "req", "1.0 for an integer field", edit("heartbeat", put("req", 1.0))));
    }

    private static void audio(List<Invalid> v) {
        v.add(bad("submit_no_audio", "frames", "submit without frame 1", List.of(frames("submit_bars").get(0))));
        v.add(bad("heartbeat_with_audio", "frames", "an audio frame on a type that takes none",
                List.of(frames("heartbeat").get(0), new byte[8])));
        byte[] a = frames("submit_bars").get(1);
        v.add(bad("audio_short", "context.frames", "payload one byte short",
                withAudio("submit_bars", Arrays.copyOf(a, a.length - 1))));
        v.add(bad("audio_long", "context.frames", "payload one sample long",
                withAudio("submit_bars", Arrays.copyOf(a, a.length + 4))));
        v.add(bad("audio_empty", "context.frames", "empty frame 1", withAudio("submit_bars", new byte[0])));
        v.add(new Invalid("audio_nan", BAD_AUDIO, "audio", "sample 3 is NaN", withSample("submit_bars", 3, Float.NaN)));
        v.add(new Invalid("audio_inf", BAD_AUDIO, "audio", "last sample is +Inf",
                withSample("submit_bars", 31, Float.POSITIVE_INFINITY)));
        v.add(new Invalid("audio_neg_inf", BAD_AUDIO, "audio", "", withSample("submit_seconds_labels", 0,
                Float.NEGATIVE_INFINITY)));
        v.add(new Invalid("preview_audio_nan", BAD_AUDIO, "audio", "", withSample("preview", 5, Float.NaN)));
        v.add(new Invalid("result_audio_nan", BAD_AUDIO, "audio", "", withSample("result", 0, Float.NaN)));
    }

    private static void context(List<Invalid> v) {
        v.add(bad("context_missing", "context", "", edit("submit_bars", remove("context"))));
        v.add(bad("context_not_map", "context", "", edit("submit_bars", put("context", List.of()))));
        v.add(rate("sample_rate_7999", "context.sample_rate", edit("submit_bars", putIn("context", "sample_rate", 7999L))));
        v.add(rate("sample_rate_192001", "context.sample_rate",
                edit("submit_bars", putIn("context", "sample_rate", 192_001L))));
        v.add(bad("channels_0", "context.channels", "", edit("submit_bars", putIn("context", "channels", 0L))));
        v.add(bad("channels_3", "context.channels", "", edit("submit_bars", putIn("context", "channels", 3L))));
        v.add(bad("frames_0", "context.frames", "", edit("submit_bars", putIn("context", "frames", 0L))));
        v.add(big("prime_too_long", "context.frames", "60 s + 1 frame at 48 kHz; checked before the payload",
                edit("submit_bars", putIn("context", "frames", 48_000L * 60 + 1))));
        v.add(bad("tempo_low", "context.tempo_bpm", "19.99", edit("submit_bars", putIn("context", "tempo_bpm", 19.99))));
        v.add(bad("tempo_high", "context.tempo_bpm", "400.01", edit("submit_bars", putIn("context", "tempo_bpm", 400.01))));
        v.add(bad("tempo_nan", "context.tempo_bpm", "", edit("submit_bars", putIn("context", "tempo_bpm", Double.NaN))));
        v.add(bad("tempo_string", "context.tempo_bpm", "", edit("submit_bars", putIn("context", "tempo_bpm", "120"))));
        v.add(bad("time_sig_num_0", "context.time_sig_num", "", edit("submit_bars", putIn("context", "time_sig_num", 0L))));
        v.add(bad("time_sig_num_33", "context.time_sig_num", "", edit("submit_bars", putIn("context", "time_sig_num", 33L))));
        v.add(bad("time_sig_den_3", "context.time_sig_den", "", edit("submit_bars", putIn("context", "time_sig_den", 3L))));
        v.add(bad("time_sig_den_64", "context.time_sig_den", "", edit("submit_bars", putIn("context", "time_sig_den", 64L))));
        v.add(bad("prime_start_sample_negative", "context.prime_start_sample", "",
                edit("submit_bars", putIn("context", "prime_start_sample", -1L))));
        v.add(bad("prime_start_bar_negative", "context.prime_start_bar", "",
                edit("submit_bars", putIn("context", "prime_start_bar", -0.5))));
        v.add(bad("prime_start_bar_inf", "context.prime_start_bar", "",
                edit("submit_bars", putIn("context", "prime_start_bar", Double.POSITIVE_INFINITY))));
    }

    private static void request(List<Invalid> v) {
        v.add(bad("request_missing", "request", "", edit("submit_bars", remove("request"))));
        v.add(bad("prior_missing", "request.prior", "", edit("submit_bars", removeIn("request", "prior"))));
        v.add(bad("prior_empty", "request.prior", "", edit("submit_bars", putIn("request", "prior", ""))));
        v.add(big("prior_129_bytes", "request.prior", "", edit("submit_bars", putIn("request", "prior", "p".repeat(129)))));
        v.add(bad("prior_as_bin", "request.prior", "bin instead of str",
                edit("submit_bars", putIn("request", "prior", new byte[] {'p'}))));
        v.add(bad("preset_not_string", "request.preset", "", edit("submit_bars", putIn("request", "preset", 1L))));
        v.add(bad("length_both", "request.length_bars", "length_bars and length_seconds",
                edit("submit_bars", putIn("request", "length_seconds", 8.0))));
        v.add(bad("length_neither", "request.length_bars|length_seconds", "",
                edit("submit_bars", removeIn("request", "length_bars"))));
        v.add(bad("length_bars_0", "request.length_bars", "", edit("submit_bars", putIn("request", "length_bars", 0.0))));
        v.add(bad("length_bars_negative", "request.length_bars", "",
                edit("submit_bars", putIn("request", "length_bars", -4.0))));
        v.add(big("length_bars_256_5", "request.length_bars", "above 256 bars",
                edit("submit_bars", putIn("request", "length_bars", 256.5))));
        v.add(big("length_seconds_600_5", "request.length_seconds", "", edit("submit_seconds_labels",
                putIn("request", "length_seconds", 600.5))));
        v.add(big("length_bars_over_600_s", "request.length_bars", "250.001 bars at 100 bpm 4/4 is 600.0024 s",
                edit("submit_length_at_limit", putIn("request", "length_bars", 250.001))));
        v.add(bad("candidates_0", "request.candidates", "", edit("submit_bars", putIn("request", "candidates", 0L))));
        v.add(bad("candidates_17", "request.candidates", "", edit("submit_bars", putIn("request", "candidates", 17L))));
        v.add(bad("candidates_float", "request.candidates", "", edit("submit_bars", putIn("request", "candidates", 4.0))));
        v.add(bad("quality_unknown", "request.quality", "", edit("submit_bars", putIn("request", "quality", "ultra"))));
        v.add(bad("quality_upper_case", "request.quality", "", edit("submit_bars", putIn("request", "quality", "FULL"))));
        v.add(bad("temperatures_empty", "request.temperatures", "",
                edit("submit_bars", putIn("request", "temperatures", List.of()))));
        v.add(bad("temperature_0", "request.temperatures", "",
                edit("submit_bars", putIn("request", "temperatures", List.of(1.0, 0.0, 1.0)))));
        v.add(bad("temperature_10_01", "request.temperatures", "",
                edit("submit_bars", putIn("request", "temperatures", List.of(10.01)))));
        v.add(big("temperatures_9_levels", "request.temperatures", "",
                edit("submit_bars", putIn("request", "temperatures", Collections.nCopies(9, 1.0)))));
        v.add(bad("temperatures_not_array", "request.temperatures", "",
                edit("submit_bars", putIn("request", "temperatures", 1.0))));
        v.add(bad("top_k_2049", "request.top_k", "", edit("submit_bars", putIn("request", "top_k", 2049L))));
        v.add(bad("top_k_negative", "request.top_k", "", edit("submit_bars", putIn("request", "top_k", -1L))));
        v.add(bad("top_p_1_5", "request.top_p", "", edit("submit_seconds_labels", putIn("request", "top_p", 1.5))));
        v.add(bad("top_p_negative", "request.top_p", "", edit("submit_seconds_labels", putIn("request", "top_p", -0.1))));
        v.add(bad("top_k_and_top_p", "request.top_k", "", edit("submit_bars", putIn("request", "top_p", 0.9))));
        v.add(bad("seed_missing", "request.seed", "", edit("submit_bars", removeIn("request", "seed"))));
        v.add(bad("seed_negative", "request.seed", "", edit("submit_bars", putIn("request", "seed", -42L))));
        v.add(bad("seed_float", "request.seed", "", edit("submit_bars", putIn("request", "seed", 42.0))));
        v.add(bad("artist_empty", "request.artist", "", edit("submit_bars", putIn("request", "artist", ""))));
        v.add(big("lyrics_4097_bytes", "request.lyrics", "",
                edit("submit_bars", putIn("request", "lyrics", "l".repeat(4097)))));
        v.add(bad("utf8_invalid", "request.artist", "bytes C3 28", edit("submit_bars",
                putIn("request", "artist", new Raw(new byte[] {(byte) 0xa2, (byte) 0xc3, 0x28})))));
        v.add(bad("utf8_overlong", "request.artist", "'/' as C0 AF", edit("submit_bars",
                putIn("request", "artist", new Raw(new byte[] {(byte) 0xa2, (byte) 0xc0, (byte) 0xaf})))));
        v.add(bad("utf8_surrogate", "request.genre", "U+D800 as ED A0 80", edit("submit_bars",
                putIn("request", "genre", new Raw(new byte[] {(byte) 0xa3, (byte) 0xed, (byte) 0xa0, (byte) 0x80})))));
    }

    private static void others(List<Invalid> v) {
        v.add(bad("hello_want_version_0", "want_version", "", edit("hello", put("want_version", 0L))));
        v.add(bad("capabilities_limit_over", "limits.max_candidates", "", edit("capabilities",
                putIn("limits", "max_candidates", 17L))));
        v.add(big("capabilities_129_priors", "priors", "", edit("capabilities", put("priors",
                Collections.nCopies(129, "p")))));
        v.add(bad("priors_levels_0", "priors[].levels", "", edit("priors", h -> entry(h, "priors").put("levels", 0L))));
        v.add(rate("priors_sample_rate_0", "priors[].sample_rate",
                edit("priors", h -> entry(h, "priors").put("sample_rate", 0L))));
        v.add(bad("priors_labels_int", "priors[0].labels", "1 for a boolean",
                edit("priors", h -> entry(h, "priors").put("labels", 1L))));
        v.add(bad("priors_max_quality_unknown", "priors[].max_quality", "a tier the protocol has no word for",
                edit("priors_optional", h -> entry(h, "priors").put("max_quality", "studio"))));
        v.add(bad("job_bad_char", "job", "a '/' in a job id", edit("cancel", put("job", "j/../x"))));
        v.add(bad("job_empty", "job", "", edit("fetch", put("job", ""))));
        v.add(big("job_65_chars", "job", "", edit("accepted", put("job", "j".repeat(65)))));
        v.add(bad("progress_done_over_total", "tokens_done", "", edit("progress", put("tokens_done", 8193L))));
        v.add(bad("progress_level_8", "level", "", edit("progress", put("level", 8L))));
        v.add(big("preview_past_600_s", "offset_frames", "chunk ends after 600 s",
                edit("preview", put("offset_frames", 48_000L * 600 - 7))));
        v.add(bad("result_offset_past_total", "offset_frames", "", edit("result", put("offset_frames", 1L))));
        v.add(big("result_total_over_600_s", "total_frames", "", edit("result", put("total_frames", 48_000L * 600 + 1))));
        v.add(big("result_chunk_over_60_s", "frames", "", edit("result", put("frames", 48_000L * 60 + 1))));
        v.add(big("result_metadata_33", "metadata", "", edit("result", h -> {
            Map<String, Object> m = sub(h, "metadata");
            for (int i = 0; m.size() < 33; i++) {
                m.put("k" + i, "v");
            }
        })));
        v.add(bad("result_metadata_not_string", "metadata.prior", "", edit("result", putIn("metadata", "prior", 1L))));
        v.add(bad("error_unknown_code", "code", "", edit("error", put("code", "TEAPOT"))));
        v.add(big("error_text_1025", "text", "", edit("error", put("text", "t".repeat(1025)))));
        v.add(bad("extend_candidate_16", "candidate", "", edit("extend_bars", put("candidate", 16L))));
        v.add(bad("jobs_unknown_state", "jobs[].state", "", edit("jobs", h -> entry(h, "jobs").put("state", "paused"))));
        v.add(bad("jobs_takes_over_candidates", "jobs[].takes_done", "",
                edit("jobs", h -> entry(h, "jobs").put("takes_done", 5L))));
        v.add(bad("list_labels_unknown_kind", "kind", "", edit("list_labels", put("kind", "mood"))));
        v.add(bad("list_labels_prior_missing", "prior", "", edit("list_labels", remove("prior"))));
        v.add(bad("list_labels_offset_over_uint32", "offset", "", edit("list_labels", put("offset", 1L << 32))));
        v.add(bad("list_labels_limit_0", "limit", "", edit("list_labels", put("limit", 0L))));
        v.add(bad("stats_rss_negative", "rss_bytes", "", edit("stats", put("rss_bytes", -1L))));
        v.add(bad("stats_queued_missing", "queued", "", edit("stats", remove("queued"))));
        v.add(big("list_labels_limit_129", "limit", "more than one list may hold", edit("list_labels", put("limit", 129L))));
        v.add(big("list_labels_limit_huge", "limit", "2^40, beyond int32", edit("list_labels", put("limit", 1L << 40))));
        v.add(bad("labels_past_total", "names", "3 names from offset 7895 of 7897",
                edit("labels", put("total", 7897L))));
        v.add(big("labels_129_names", "names", "", edit("labels", put("names", Collections.nCopies(129, "n")))));
        v.add(bad("labels_name_empty", "names[]", "", edit("labels", put("names", List.of("a", "", "c")))));
        v.add(bad("labels_unknown_kind", "kind", "", edit("labels", put("kind", "artists"))));
        v.add(bad("heartbeat_t_ms_negative", "t_ms", "", edit("heartbeat", put("t_ms", -1L))));
        v.add(bad("heartbeat_t_ms_over_int64", "t_ms", "2^63 does not fit int64",
                edit("heartbeat", put("t_ms", BigInteger.ONE.shiftLeft(63)))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Map<String, Object> h, String list) {
        return ((List<Map<String, Object>>) h.get(list)).get(0);
    }

    private static Invalid bad(String name, String field, String about, List<byte[]> frames) {
        return new Invalid(name, BAD_MESSAGE, field, about, frames);
    }

    private static Invalid big(String name, String field, String about, List<byte[]> frames) {
        return new Invalid(name, TOO_LARGE, field, about, frames);
    }

    private static Invalid rate(String name, String field, List<byte[]> frames) {
        return new Invalid(name, BAD_SAMPLE_RATE, field, "", frames);
    }

    private static List<byte[]> concatLists(List<byte[]> a, List<byte[]> b) {
        List<byte[]> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
