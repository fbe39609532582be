/*
 * codec.h: the one C codec of the Segue wire protocol, version 1 (protocol/PROTOCOL.md).
 *
 * Headers are msgpack (msgpack-c does the byte-level work); audio is float32 little-endian,
 * interleaved. The decoder checks every bound of PROTOCOL.md section 6 in the order of 6.1 and
 * answers the section 7 code. Strings in a decoded message point into the frames it was decoded
 * from: keep the frames alive while you read the message. Runs on the client thread only: it
 * allocates (msgpack-c's zone).
 */
#ifndef SEGUE_CODEC_H
#define SEGUE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SEGUE_OK = 0,
    SEGUE_BAD_MESSAGE,
    SEGUE_UNSUPPORTED_VERSION,
    SEGUE_TOO_LARGE,
    SEGUE_UNKNOWN_PRIOR,
    SEGUE_UNKNOWN_PRESET,
    SEGUE_BAD_SAMPLE_RATE,
    SEGUE_BAD_AUDIO,
    SEGUE_QUEUE_FULL,
    SEGUE_UNKNOWN_JOB,
    SEGUE_CANCELLED,
    SEGUE_INTERNAL,
    SEGUE_CODE_COUNT
} segue_code_t;

typedef enum {
    SEGUE_T_NONE = 0,
    SEGUE_T_HELLO, SEGUE_T_LIST_PRIORS, SEGUE_T_LIST_PRESETS, SEGUE_T_SUBMIT, SEGUE_T_CANCEL,
    SEGUE_T_FETCH, SEGUE_T_EXTEND, SEGUE_T_HEARTBEAT, SEGUE_T_CAPABILITIES, SEGUE_T_PRIORS,
    SEGUE_T_PRESETS, SEGUE_T_ACCEPTED, SEGUE_T_PROGRESS, SEGUE_T_PREVIEW, SEGUE_T_RESULT,
    SEGUE_T_DONE, SEGUE_T_ERROR, SEGUE_T_LIST_JOBS, SEGUE_T_JOBS, SEGUE_T_LIST_LABELS, SEGUE_T_LABELS,
    SEGUE_T_GET_STATS, SEGUE_T_STATS,
    SEGUE_T_COUNT
} segue_type_t;

/* A string: bytes and length, not NUL-terminated. */
typedef struct {
    const char *p;
    uint32_t n;
} segue_str_t;

#define SEGUE_MAX_LIST 128
#define SEGUE_MAX_LEVELS 8
#define SEGUE_MAX_METADATA 32

typedef struct {
    segue_str_t name;
    int64_t levels, sample_rate;
    int labels;
    int64_t weight_bytes;    /* optional: the memory it takes loaded, when has_weight_bytes */
    int has_weight_bytes;
    int loaded, has_loaded;  /* optional: whether it is in memory now */
    segue_str_t max_quality; /* optional: the deepest tier it serves, when has_max_quality */
    int has_max_quality;
} segue_prior_info_t;

typedef struct {
    segue_str_t name, prior, description;
} segue_preset_info_t;

typedef struct {
    segue_str_t job, state, label;
    int64_t candidates, takes_done, created_ms;
} segue_job_info_t;

typedef struct {
    segue_str_t key, value;
} segue_entry_t;

/* One message of any type: the fields its type uses are set, the rest are zero. */
typedef struct {
    int64_t v;
    segue_type_t type;
    int64_t req;

    /* hello */
    segue_str_t client, client_version;
    int64_t want_version;
    /* submit */
    struct {
        int64_t sample_rate, channels, frames;
        double tempo_bpm;
        int64_t time_sig_num, time_sig_den, prime_start_sample;
        double prime_start_bar;
    } context;
    struct {
        segue_str_t prior, preset, quality, artist, genre, lyrics;
        int has_length_bars, has_length_seconds, has_top_k, has_top_p, has_artist, has_genre, has_lyrics;
        double length_bars, length_seconds, top_p;
        int64_t candidates, top_k;
        double temperatures[SEGUE_MAX_LEVELS];
        uint32_t n_temperatures;
        uint64_t seed;
    } request;
    /* cancel, fetch, extend, accepted, progress, preview, result, done, error */
    segue_str_t job;
    int has_job;
    /* extend (length), preview and result (candidate) */
    int64_t candidate;
    int has_length_bars, has_length_seconds;
    double length_bars, length_seconds;
    /* heartbeat */
    int64_t t_ms;
    /* capabilities */
    segue_str_t daemon_version;
    int64_t protocol;
    segue_str_t cap_priors[SEGUE_MAX_LIST], cap_presets[SEGUE_MAX_LIST];
    uint32_t n_cap_priors, n_cap_presets;
    struct {
        int64_t max_message_bytes, max_prime_seconds, max_candidates, max_length_bars, max_length_seconds;
        int64_t max_unread; /* optional: replies kept for a client that is not reading (PROTOCOL.md §4) */
        int has_max_unread;
    } limits;
    /* priors, presets */
    segue_prior_info_t priors[SEGUE_MAX_LIST];
    uint32_t n_priors;
    segue_preset_info_t presets[SEGUE_MAX_LIST];
    uint32_t n_presets;
    /* jobs */
    segue_job_info_t jobs[SEGUE_MAX_LIST];
    uint32_t n_jobs;
    /* list_labels, labels: one page of a prior's artist or genre names (kind is "artist" or "genre") */
    segue_str_t label_prior, label_kind;
    int64_t label_offset, label_limit, label_total;
    segue_str_t label_names[SEGUE_MAX_LIST];
    uint32_t n_label_names;
    /* stats: the daemon's counters and its use of memory and disk, every one 0..2^63-1 */
    struct {
        int64_t uptime_ms, rss_bytes, heap_used_bytes, direct_bytes, data_bytes, data_jobs, queued, running;
        int64_t jobs_done, jobs_failed, jobs_cancelled, bad_messages, skipped_progress, unanswered;
    } stats;
    /* progress */
    int64_t level, tokens_done, tokens_total, eta_ms;
    /* preview, result */
    int64_t sample_rate, channels, offset_frames, frames, start_sample, total_frames;
    uint64_t seed;
    segue_entry_t metadata[SEGUE_MAX_METADATA];
    uint32_t n_metadata;
    /* done */
    int64_t candidates;
    /* error */
    segue_code_t code;
    segue_str_t text;

    /* the audio frame (submit, preview, result): float32 LE interleaved, frames * channels values */
    const uint8_t *audio;
    size_t audio_bytes;
} segue_msg_t;

typedef struct {
    const uint8_t *data;
    size_t size;
} segue_frame_t;

/* Decodes frames into msg. Returns SEGUE_OK or the error code; err gets "field: reason". */
segue_code_t segue_decode(const segue_frame_t *frames, size_t n_frames, segue_msg_t *msg, char *err, size_t err_cap);

/* Encodes msg's header canonically (PROTOCOL.md 3.2) into a malloc'ed buffer; the audio frame, if
 * the type has one, is msg->audio as it is. Returns 0, or -1 when out of memory or the type is unknown. */
int segue_encode_header(const segue_msg_t *msg, uint8_t **out, size_t *out_size);

const char *segue_code_name(segue_code_t code);
segue_code_t segue_code_from_name(const char *name, size_t n);
const char *segue_type_name(segue_type_t type);
int segue_type_has_audio(segue_type_t type);

/* Sample i of the message's audio (little-endian float32 on any host). */
float segue_audio_sample(const segue_msg_t *msg, size_t i);

/* A string view from a C string (for building messages). */
segue_str_t segue_str(const char *s);

/* 1 when s[0..n) is strict UTF-8 (RFC 3629), the rule the decoder applies to every string; for a
 * client that checks a text before it goes into a message (the plugin's lyrics, artist, genre). */
int segue_utf8_valid(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
