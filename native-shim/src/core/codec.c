/*
 * codec.c: PROTOCOL.md version 1 in C. Each message type is a table of fields (key, kind, bounds,
 * where it lives in segue_msg_t) in canonical order; one walker decodes by the table and one
 * encodes by it, so the two can never disagree about a field. Checks that involve two fields
 * (lengths against a sample rate, "exactly one of") follow the table walk, as section 6.1 orders.
 *
 * One file of about 870 lines: the project keeps one codec per language, and here most lines are the
 * tables themselves, one per message type, beside the two walkers that read them; split, a table would sit
 * away from the walker whose slots it names.
 */
#include "codec.h"

#include "bars.h"

#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER_BYTES 262144u
#define MAX_MESSAGE_BYTES 100663296u
#define MAX_MAP_ENTRIES 64u
#define MAX_DEPTH 8
#define MAX_KEY_BYTES 128u
#define UINT32_MAXV 4294967295LL

static const char *const CODE_NAMES[SEGUE_CODE_COUNT] = {
    "OK", "BAD_MESSAGE", "UNSUPPORTED_VERSION", "TOO_LARGE", "UNKNOWN_PRIOR", "UNKNOWN_PRESET",
    "BAD_SAMPLE_RATE", "BAD_AUDIO", "QUEUE_FULL", "UNKNOWN_JOB", "CANCELLED", "INTERNAL"};

static const char *const TYPE_NAMES[SEGUE_T_COUNT] = {
    "", "hello", "list_priors", "list_presets", "submit", "cancel", "fetch", "extend", "heartbeat",
    "capabilities", "priors", "presets", "accepted", "progress", "preview", "result", "done", "error",
    "list_jobs", "jobs", "list_labels", "labels", "get_stats", "stats"};

const char *segue_code_name(segue_code_t code) {
    return code < SEGUE_CODE_COUNT ? CODE_NAMES[code] : "?";
}

segue_code_t segue_code_from_name(const char *name, size_t n) {
    for (int c = 1; c < SEGUE_CODE_COUNT; c++) {
        if (strlen(CODE_NAMES[c]) == n && memcmp(CODE_NAMES[c], name, n) == 0) return (segue_code_t)c;
    }
    return SEGUE_OK;
}

const char *segue_type_name(segue_type_t type) {
    return type < SEGUE_T_COUNT ? TYPE_NAMES[type] : "?";
}

int segue_type_has_audio(segue_type_t type) {
    return type == SEGUE_T_SUBMIT || type == SEGUE_T_PREVIEW || type == SEGUE_T_RESULT;
}

segue_str_t segue_str(const char *s) {
    segue_str_t v = {s, (uint32_t)strlen(s)};
    return v;
}

float segue_audio_sample(const segue_msg_t *msg, size_t i) {
    const uint8_t *b = msg->audio + 4 * i;
    uint32_t bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* ---- the field tables ------------------------------------------------------------------------ */

typedef enum {
    K_INT,      /* integer in [imin, imax]: below -> lo, above -> hi */
    K_UINT64,   /* any non-negative integer */
    K_FLOAT,    /* float (or int) in [fmin, fmax], fmin exclusive when open_min */
    K_NAME,     /* str, 1..128 bytes */
    K_TEXT,     /* str, 0..1024 bytes */
    K_LYRICS,   /* str, 0..4096 bytes */
    K_JOB,      /* str, 1..64 of [A-Za-z0-9_-] */
    K_BOOL,
    K_QUALITY,  /* sketch | draft | full */
    K_JOBSTATE, /* queued | running | done | failed | cancelled */
    K_LABELKIND, /* artist | genre */
    K_CODE,     /* an error code name */
    K_MAP,      /* a nested map with its own table */
    K_FLOATS,   /* the temperatures array */
    K_NAMES,    /* an array of names (capabilities) */
    K_MAPS,     /* an array of maps (priors, presets) */
    K_OPENMAP   /* result.metadata: name -> text, sorted on the wire */
} kind_t;

typedef struct table table_t;

typedef struct {
    const char *key;
    kind_t kind;
    int optional;
    size_t off;          /* the value in segue_msg_t (or in the list element) */
    size_t has_off;      /* an int presence flag for optional fields; 0 = none */
    int64_t imin, imax;
    double fmin, fmax;
    int open_min;
    segue_code_t lo, hi; /* codes for below / above the bounds */
    const table_t *sub;  /* K_MAP, K_MAPS */
    size_t count_off;    /* K_FLOATS, K_NAMES, K_MAPS, K_OPENMAP: a uint32_t count */
    uint32_t max_count;  /* and its bound */
    size_t elem_size;    /* K_MAPS */
} field_t;

struct table {
    const field_t *fields;
    size_t n;
};

#define M(f) offsetof(segue_msg_t, f)
#define B SEGUE_BAD_MESSAGE
#define L SEGUE_TOO_LARGE
#define R SEGUE_BAD_SAMPLE_RATE
#define T(arr) {arr, sizeof arr / sizeof arr[0]}
#define INT(k, o, lo_, hi_, clo, chi) {k, K_INT, 0, o, 0, lo_, hi_, 0, 0, 0, clo, chi, NULL, 0, 0, 0}
#define FLT(k, o, lo_, hi_, open, clo, chi) {k, K_FLOAT, 0, o, 0, 0, 0, lo_, hi_, open, clo, chi, NULL, 0, 0, 0}
#define OPT_FLT(k, o, h, lo_, hi_, open, clo, chi) {k, K_FLOAT, 1, o, h, 0, 0, lo_, hi_, open, clo, chi, NULL, 0, 0, 0}
#define OPT_INT(k, o, h, lo_, hi_, clo, chi) {k, K_INT, 1, o, h, lo_, hi_, 0, 0, 0, clo, chi, NULL, 0, 0, 0}
#define STR(k, kind, o) {k, kind, 0, o, 0, 0, 0, 0, 0, 0, B, L, NULL, 0, 0, 0}
#define OPT_STR(k, kind, o, h) {k, kind, 1, o, h, 0, 0, 0, 0, 0, B, L, NULL, 0, 0, 0}
#define U64(k, o) {k, K_UINT64, 0, o, 0, 0, 0, 0, 0, 0, B, B, NULL, 0, 0, 0}
#define JOB(o) STR("job", K_JOB, o)
#define RATE(o) INT("sample_rate", o, 8000, 192000, R, R)
#define CHANNELS(o) INT("channels", o, 1, 2, B, B)

static const field_t CONTEXT_FIELDS[] = {
    RATE(M(context.sample_rate)),
    CHANNELS(M(context.channels)),
    INT("frames", M(context.frames), 1, 60LL * 192000, B, L), /* 60 s at the rate: checked after */
    FLT("tempo_bpm", M(context.tempo_bpm), 20, 400, 0, B, B),
    INT("time_sig_num", M(context.time_sig_num), 1, 32, B, B),
    INT("time_sig_den", M(context.time_sig_den), 1, 32, B, B), /* a power of two: checked after */
    INT("prime_start_sample", M(context.prime_start_sample), 0, INT64_MAX, B, B),
    FLT("prime_start_bar", M(context.prime_start_bar), 0, INFINITY, 0, B, B),
};
static const table_t CONTEXT = T(CONTEXT_FIELDS);

static const field_t REQUEST_FIELDS[] = {
    STR("prior", K_NAME, M(request.prior)),
    STR("preset", K_NAME, M(request.preset)),
    OPT_FLT("length_bars", M(request.length_bars), M(request.has_length_bars), 0, 256, 1, B, L),
    OPT_FLT("length_seconds", M(request.length_seconds), M(request.has_length_seconds), 0, 600, 1, B, L),
    INT("candidates", M(request.candidates), 1, 16, B, B),
    STR("quality", K_QUALITY, M(request.quality)),
    {"temperatures", K_FLOATS, 0, M(request.temperatures), 0, 0, 0, 0, 10, 1, B, B, NULL,
     M(request.n_temperatures), SEGUE_MAX_LEVELS, 0},
    OPT_INT("top_k", M(request.top_k), M(request.has_top_k), 0, 2048, B, B),
    OPT_FLT("top_p", M(request.top_p), M(request.has_top_p), 0, 1, 0, B, B),
    U64("seed", M(request.seed)),
    OPT_STR("artist", K_NAME, M(request.artist), M(request.has_artist)),
    OPT_STR("genre", K_NAME, M(request.genre), M(request.has_genre)),
    OPT_STR("lyrics", K_LYRICS, M(request.lyrics), M(request.has_lyrics)),
};
static const table_t REQUEST = T(REQUEST_FIELDS);

static const field_t LIMITS_FIELDS[] = {
    INT("max_message_bytes", M(limits.max_message_bytes), 1, MAX_MESSAGE_BYTES, B, B),
    INT("max_prime_seconds", M(limits.max_prime_seconds), 1, 60, B, B),
    INT("max_candidates", M(limits.max_candidates), 1, 16, B, B),
    INT("max_length_bars", M(limits.max_length_bars), 1, 256, B, B),
    INT("max_length_seconds", M(limits.max_length_seconds), 1, 600, B, B),
    OPT_INT("max_unread", M(limits.max_unread), M(limits.has_max_unread), 1, 4294967295LL, B, B),
};
static const table_t LIMITS = T(LIMITS_FIELDS);

#define P(f) offsetof(segue_prior_info_t, f)
static const field_t PRIOR_FIELDS[] = {
    STR("name", K_NAME, P(name)),
    INT("levels", P(levels), 1, 8, B, B),
    INT("sample_rate", P(sample_rate), 8000, 192000, R, R),
    {"labels", K_BOOL, 0, P(labels), 0, 0, 0, 0, 0, 0, B, B, NULL, 0, 0, 0},
    OPT_INT("weight_bytes", P(weight_bytes), P(has_weight_bytes), 0, INT64_MAX, B, B),
    {"loaded", K_BOOL, 1, P(loaded), P(has_loaded), 0, 0, 0, 0, 0, B, B, NULL, 0, 0, 0},
    OPT_STR("max_quality", K_QUALITY, P(max_quality), P(has_max_quality)),
};
static const table_t PRIOR = T(PRIOR_FIELDS);

#define S(f) offsetof(segue_preset_info_t, f)
static const field_t PRESET_FIELDS[] = {
    STR("name", K_NAME, S(name)),
    STR("prior", K_NAME, S(prior)),
    STR("description", K_TEXT, S(description)),
};
static const table_t PRESET = T(PRESET_FIELDS);

#define J(f) offsetof(segue_job_info_t, f)
static const field_t JOB_INFO_FIELDS[] = {
    STR("job", K_JOB, J(job)),
    STR("state", K_JOBSTATE, J(state)),
    INT("candidates", J(candidates), 1, 16, B, B),
    INT("takes_done", J(takes_done), 0, 16, B, B), /* at most candidates: checked after */
    INT("created_ms", J(created_ms), 0, INT64_MAX, B, B),
    STR("label", K_TEXT, J(label)),
};
static const table_t JOB_INFO = T(JOB_INFO_FIELDS);

#define LENGTH_FIELDS                                                                               \
    OPT_FLT("length_bars", M(length_bars), M(has_length_bars), 0, 256, 1, B, L),                   \
        OPT_FLT("length_seconds", M(length_seconds), M(has_length_seconds), 0, 600, 1, B, L)

static const field_t HELLO[] = {
    STR("client", K_NAME, M(client)),
    STR("client_version", K_NAME, M(client_version)),
    INT("want_version", M(want_version), 1, 65535, B, B),
};
static const field_t SUBMIT[] = {
    {"context", K_MAP, 0, 0, 0, 0, 0, 0, 0, 0, B, B, &CONTEXT, 0, 0, 0},
    {"request", K_MAP, 0, 0, 0, 0, 0, 0, 0, 0, B, B, &REQUEST, 0, 0, 0},
};
static const field_t JOB_ONLY[] = {JOB(M(job))};
static const field_t EXTEND[] = {JOB(M(job)), INT("candidate", M(candidate), 0, 15, B, B), LENGTH_FIELDS};
static const field_t HEARTBEAT[] = {INT("t_ms", M(t_ms), 0, INT64_MAX, B, B)};
static const field_t CAPABILITIES[] = {
    STR("daemon_version", K_NAME, M(daemon_version)),
    INT("protocol", M(protocol), 1, 65535, B, B),
    {"priors", K_NAMES, 0, M(cap_priors), 0, 0, 0, 0, 0, 0, B, L, NULL, M(n_cap_priors), SEGUE_MAX_LIST, 0},
    {"presets", K_NAMES, 0, M(cap_presets), 0, 0, 0, 0, 0, 0, B, L, NULL, M(n_cap_presets), SEGUE_MAX_LIST, 0},
    {"limits", K_MAP, 0, 0, 0, 0, 0, 0, 0, 0, B, B, &LIMITS, 0, 0, 0},
};
static const field_t PRIORS[] = {{"priors", K_MAPS, 0, M(priors), 0, 0, 0, 0, 0, 0, B, L, &PRIOR, M(n_priors),
                                  SEGUE_MAX_LIST, sizeof(segue_prior_info_t)}};
static const field_t PRESETS[] = {{"presets", K_MAPS, 0, M(presets), 0, 0, 0, 0, 0, 0, B, L, &PRESET,
                                   M(n_presets), SEGUE_MAX_LIST, sizeof(segue_preset_info_t)}};
static const field_t JOBS[] = {{"jobs", K_MAPS, 0, M(jobs), 0, 0, 0, 0, 0, 0, B, L, &JOB_INFO, M(n_jobs),
                                SEGUE_MAX_LIST, sizeof(segue_job_info_t)}};
static const field_t LIST_LABELS[] = {
    STR("prior", K_NAME, M(label_prior)),
    STR("kind", K_LABELKIND, M(label_kind)),
    INT("offset", M(label_offset), 0, UINT32_MAXV, B, B),
    INT("limit", M(label_limit), 1, SEGUE_MAX_LIST, B, L), /* more than a list may hold is a size */
};
static const field_t LABELS[] = {
    STR("prior", K_NAME, M(label_prior)),
    STR("kind", K_LABELKIND, M(label_kind)),
    INT("total", M(label_total), 0, UINT32_MAXV, B, B),
    INT("offset", M(label_offset), 0, UINT32_MAXV, B, B), /* names stay within total: checked after */
    {"names", K_NAMES, 0, M(label_names), 0, 0, 0, 0, 0, 0, B, L, NULL, M(n_label_names), SEGUE_MAX_LIST, 0},
};
#define COUNT(k, f) INT(k, M(stats.f), 0, INT64_MAX, B, B)
static const field_t STATS[] = {
    COUNT("uptime_ms", uptime_ms),       COUNT("rss_bytes", rss_bytes),     COUNT("heap_used_bytes", heap_used_bytes),
    COUNT("direct_bytes", direct_bytes), COUNT("data_bytes", data_bytes),   COUNT("data_jobs", data_jobs),
    COUNT("queued", queued),             COUNT("running", running),         COUNT("jobs_done", jobs_done),
    COUNT("jobs_failed", jobs_failed),   COUNT("jobs_cancelled", jobs_cancelled),
    COUNT("bad_messages", bad_messages), COUNT("skipped_progress", skipped_progress),
    COUNT("unanswered", unanswered),
};
static const field_t PROGRESS[] = {
    JOB(M(job)),
    INT("level", M(level), 0, 7, B, B),
    INT("tokens_done", M(tokens_done), 0, UINT32_MAXV, B, B),
    INT("tokens_total", M(tokens_total), 1, UINT32_MAXV, B, B),
    INT("eta_ms", M(eta_ms), 0, UINT32_MAXV, B, B),
};
static const field_t PREVIEW[] = {
    JOB(M(job)),
    INT("candidate", M(candidate), 0, 15, B, B),
    RATE(M(sample_rate)),
    CHANNELS(M(channels)),
    INT("offset_frames", M(offset_frames), 0, INT64_MAX, B, L),
    INT("frames", M(frames), 1, 60LL * 192000, B, L),
};
static const field_t RESULT[] = {
    JOB(M(job)),
    INT("candidate", M(candidate), 0, 15, B, B),
    RATE(M(sample_rate)),
    CHANNELS(M(channels)),
    INT("start_sample", M(start_sample), 0, INT64_MAX, B, B),
    INT("total_frames", M(total_frames), 1, 600LL * 192000, B, L),
    INT("offset_frames", M(offset_frames), 0, INT64_MAX, B, B),
    INT("frames", M(frames), 1, 60LL * 192000, B, L),
    U64("seed", M(seed)),
    {"metadata", K_OPENMAP, 0, M(metadata), 0, 0, 0, 0, 0, 0, B, L, NULL, M(n_metadata), SEGUE_MAX_METADATA, 0},
};
static const field_t DONE[] = {JOB(M(job)), INT("candidates", M(candidates), 1, 16, B, B)};
static const field_t ERROR[] = {
    OPT_STR("job", K_JOB, M(job), M(has_job)),
    {"code", K_CODE, 0, M(code), 0, 0, 0, 0, 0, 0, B, B, NULL, 0, 0, 0},
    STR("text", K_TEXT, M(text)),
};

static const table_t TYPE_TABLES[SEGUE_T_COUNT] = {
    [SEGUE_T_HELLO] = T(HELLO),
    [SEGUE_T_LIST_PRIORS] = {NULL, 0},
    [SEGUE_T_LIST_PRESETS] = {NULL, 0},
    [SEGUE_T_SUBMIT] = T(SUBMIT),
    [SEGUE_T_CANCEL] = T(JOB_ONLY),
    [SEGUE_T_FETCH] = T(JOB_ONLY),
    [SEGUE_T_EXTEND] = T(EXTEND),
    [SEGUE_T_HEARTBEAT] = T(HEARTBEAT),
    [SEGUE_T_CAPABILITIES] = T(CAPABILITIES),
    [SEGUE_T_PRIORS] = T(PRIORS),
    [SEGUE_T_PRESETS] = T(PRESETS),
    [SEGUE_T_ACCEPTED] = T(JOB_ONLY),
    [SEGUE_T_PROGRESS] = T(PROGRESS),
    [SEGUE_T_PREVIEW] = T(PREVIEW),
    [SEGUE_T_RESULT] = T(RESULT),
    [SEGUE_T_DONE] = T(DONE),
    [SEGUE_T_ERROR] = T(ERROR),
    [SEGUE_T_LIST_JOBS] = {NULL, 0},
    [SEGUE_T_JOBS] = T(JOBS),
    [SEGUE_T_LIST_LABELS] = T(LIST_LABELS),
    [SEGUE_T_LABELS] = T(LABELS),
    [SEGUE_T_GET_STATS] = {NULL, 0},
    [SEGUE_T_STATS] = T(STATS),
};

/* ---- decoding -------------------------------------------------------------------------------- */

typedef struct {
    char *err;
    size_t cap;
    char path[160]; /* the field being decoded, for error texts */
} ctx_t;

static segue_code_t fail(ctx_t *c, segue_code_t code, const char *fmt, ...) {
    if (c->err && c->cap) {
        int n = snprintf(c->err, c->cap, "%s: ", c->path[0] ? c->path : "header");
        if (n >= 0 && (size_t)n < c->cap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

static int key_is(const msgpack_object *k, const char *name) {
    size_t n = strlen(name);
    return k->via.str.size == n && memcmp(k->via.str.ptr, name, n) == 0;
}

/* Section 3.3: every map at every level has str keys of at most 128 bytes, no duplicates, at most
 * 64 entries; nesting at most 8 levels (the header is level 1). */
static segue_code_t check_structure(ctx_t *c, const msgpack_object *o, int depth) {
    if (o->type != MSGPACK_OBJECT_MAP && o->type != MSGPACK_OBJECT_ARRAY) return SEGUE_OK;
    if (depth > MAX_DEPTH) return fail(c, B, "nested deeper than %d levels", MAX_DEPTH);
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            segue_code_t r = check_structure(c, &o->via.array.ptr[i], depth + 1);
            if (r) return r;
        }
        return SEGUE_OK;
    }
    const msgpack_object_map *m = &o->via.map;
    if (m->size > MAX_MAP_ENTRIES) return fail(c, L, "%u entries, at most %u", m->size, MAX_MAP_ENTRIES);
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            snprintf(c->path, sizeof c->path, "keys[%u]", i);
            return fail(c, B, "a map key that is not a string");
        }
        if (k->via.str.size > MAX_KEY_BYTES) {
            snprintf(c->path, sizeof c->path, "keys[%u]", i);
            return fail(c, L, "a key of %u bytes, at most %u", k->via.str.size, MAX_KEY_BYTES);
        }
        for (uint32_t j = 0; j < i; j++) {
            const msgpack_object *k2 = &m->ptr[j].key;
            if (k2->via.str.size == k->via.str.size && memcmp(k2->via.str.ptr, k->via.str.ptr, k->via.str.size) == 0) {
                snprintf(c->path, sizeof c->path, "%.*s", (int)(k->via.str.size > 100 ? 100 : k->via.str.size), k->via.str.ptr);
                return fail(c, B, "duplicate key");
            }
        }
        segue_code_t r = check_structure(c, &m->ptr[i].val, depth + 1);
        if (r) return r;
    }
    return SEGUE_OK;
}

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) { i++; continue; }
        size_t len;
        uint32_t cp, min;
        if ((b & 0xe0) == 0xc0) { len = 2; cp = b & 0x1f; min = 0x80; }
        else if ((b & 0xf0) == 0xe0) { len = 3; cp = b & 0x0f; min = 0x800; }
        else if ((b & 0xf8) == 0xf0) { len = 4; cp = b & 0x07; min = 0x10000; }
        else return 0;
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += len;
    }
    return 1;
}

int segue_utf8_valid(const char *s, size_t n) {
    return utf8_valid((const unsigned char *)s, n);
}

static const msgpack_object *find(const msgpack_object_map *m, const char *key) {
    for (uint32_t i = 0; i < m->size; i++) {
        if (key_is(&m->ptr[i].key, key)) {
            return m->ptr[i].val.type == MSGPACK_OBJECT_NIL ? NULL : &m->ptr[i].val; /* nil = absent */
        }
    }
    return NULL;
}

static segue_code_t get_int(ctx_t *c, const msgpack_object *o, int64_t *out) {
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t)INT64_MAX) return fail(c, B, "%llu does not fit a signed 64-bit integer",
                                                          (unsigned long long)o->via.u64);
        *out = (int64_t)o->via.u64;
        return SEGUE_OK;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return SEGUE_OK;
    }
    return fail(c, B, "not an integer");
}

static segue_code_t get_float(ctx_t *c, const msgpack_object *o, double *out) {
    switch (o->type) {
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: *out = o->via.f64; return SEGUE_OK;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: *out = (double)o->via.u64; return SEGUE_OK;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: *out = (double)o->via.i64; return SEGUE_OK;
    default: return fail(c, B, "not a number");
    }
}

static segue_code_t check_float(ctx_t *c, const field_t *f, double v) {
    if (!isfinite(v)) return fail(c, B, "not finite");
    if (v < f->fmin || (f->open_min && v == f->fmin)) return fail(c, f->lo, "%g below the bound %g", v, f->fmin);
    if (v > f->fmax) return fail(c, f->hi, "%g above the bound %g", v, f->fmax);
    return SEGUE_OK;
}

static segue_code_t get_str(ctx_t *c, const msgpack_object *o, kind_t kind, segue_str_t *out) {
    if (o->type != MSGPACK_OBJECT_STR) return fail(c, B, "not a string");
    uint32_t n = o->via.str.size;
    const char *p = o->via.str.ptr;
    if (!utf8_valid((const unsigned char *)p, n)) return fail(c, B, "invalid UTF-8");
    switch (kind) {
    case K_NAME:
        if (n == 0) return fail(c, B, "empty");
        if (n > 128) return fail(c, L, "%u bytes, at most 128", n);
        break;
    case K_TEXT:
        if (n > 1024) return fail(c, L, "%u bytes, at most 1024", n);
        break;
    case K_LYRICS:
        if (n > 4096) return fail(c, L, "%u bytes, at most 4096", n);
        break;
    case K_JOB:
        if (n == 0) return fail(c, B, "empty");
        if (n > 64) return fail(c, L, "%u characters, at most 64", n);
        for (uint32_t i = 0; i < n; i++) {
            char ch = p[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
                return fail(c, B, "character %u is not one of [A-Za-z0-9_-]", i);
        }
        break;
    case K_QUALITY:
        if (!((n == 6 && memcmp(p, "sketch", 6) == 0) || (n == 5 && memcmp(p, "draft", 5) == 0) ||
              (n == 4 && memcmp(p, "full", 4) == 0)))
            return fail(c, B, "not one of sketch, draft, full");
        break;
    case K_JOBSTATE: {
        static const char *const states[] = {"queued", "running", "done", "failed", "cancelled"};
        int known = 0;
        for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
            if (strlen(states[i]) == n && memcmp(p, states[i], n) == 0) known = 1;
        }
        if (!known) return fail(c, B, "not one of queued, running, done, failed, cancelled");
        break;
    }
    case K_LABELKIND:
        if (!((n == 6 && memcmp(p, "artist", 6) == 0) || (n == 5 && memcmp(p, "genre", 5) == 0)))
            return fail(c, B, "not one of artist, genre");
        break;
    default: break;
    }
    out->p = p;
    out->n = n;
    return SEGUE_OK;
}

static segue_code_t decode_map(ctx_t *c, const msgpack_object *o, const table_t *t, char *base, const char *prefix);

static void set_path(ctx_t *c, const char *prefix, const char *key) {
    snprintf(c->path, sizeof c->path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
}

static segue_code_t decode_field(ctx_t *c, const field_t *f, const msgpack_object *o, char *base) {
    char *at = base + f->off;
    segue_code_t r;
    switch (f->kind) {
    case K_INT: {
        int64_t v;
        if ((r = get_int(c, o, &v))) return r;
        if (v < f->imin) return fail(c, f->lo, "%lld below %lld", (long long)v, (long long)f->imin);
        if (v > f->imax) return fail(c, f->hi, "%lld above %lld", (long long)v, (long long)f->imax);
        memcpy(at, &v, sizeof v);
        return SEGUE_OK;
    }
    case K_UINT64: {
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) return fail(c, B, "not a non-negative integer");
        memcpy(at, &o->via.u64, sizeof(uint64_t));
        return SEGUE_OK;
    }
    case K_FLOAT: {
        double v;
        if ((r = get_float(c, o, &v)) || (r = check_float(c, f, v))) return r;
        memcpy(at, &v, sizeof v);
        return SEGUE_OK;
    }
    case K_NAME: case K_TEXT: case K_LYRICS: case K_JOB: case K_QUALITY: case K_JOBSTATE: case K_LABELKIND:
        return get_str(c, o, f->kind, (segue_str_t *)(void *)at);
    case K_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN) return fail(c, B, "not a boolean");
        *(int *)(void *)at = o->via.boolean ? 1 : 0;
        return SEGUE_OK;
    case K_CODE: {
        segue_str_t s = {NULL, 0}; /* set by get_str; initialised for the compiler's flow analysis */
        if ((r = get_str(c, o, K_TEXT, &s))) return r;
        segue_code_t code = segue_code_from_name(s.p, s.n);
        if (code == SEGUE_OK) return fail(c, B, "not an error code of version 1");
        *(segue_code_t *)(void *)at = code;
        return SEGUE_OK;
    }
    case K_MAP: {
        char sub[160];
        snprintf(sub, sizeof sub, "%s", c->path);
        return decode_map(c, o, f->sub, base, sub);
    }
    case K_FLOATS: {
        if (o->type != MSGPACK_OBJECT_ARRAY) return fail(c, B, "not an array");
        uint32_t n = o->via.array.size;
        if (n == 0) return fail(c, B, "empty");
        if (n > f->max_count) return fail(c, L, "%u entries, at most %u", n, f->max_count);
        for (uint32_t i = 0; i < n; i++) {
            double v;
            if ((r = get_float(c, &o->via.array.ptr[i], &v)) || (r = check_float(c, f, v))) return r;
            ((double *)(void *)at)[i] = v;
        }
        *(uint32_t *)(void *)(base + f->count_off) = n;
        return SEGUE_OK;
    }
    case K_NAMES: case K_MAPS: {
        if (o->type != MSGPACK_OBJECT_ARRAY) return fail(c, B, "not an array");
        uint32_t n = o->via.array.size;
        if (n > f->max_count) return fail(c, L, "%u entries, at most %u", n, f->max_count);
        char here[160];
        snprintf(here, sizeof here, "%s", c->path);
        for (uint32_t i = 0; i < n; i++) {
            snprintf(c->path, sizeof c->path, "%s[%u]", here, i);
            if (f->kind == K_NAMES) {
                r = get_str(c, &o->via.array.ptr[i], K_NAME, &((segue_str_t *)(void *)at)[i]);
            } else {
                char elem[160];
                snprintf(elem, sizeof elem, "%s", c->path);
                memset(at + i * f->elem_size, 0, f->elem_size);
                r = decode_map(c, &o->via.array.ptr[i], f->sub, at + i * f->elem_size, elem);
            }
            if (r) return r;
        }
        *(uint32_t *)(void *)(base + f->count_off) = n;
        return SEGUE_OK;
    }
    case K_OPENMAP: {
        if (o->type != MSGPACK_OBJECT_MAP) return fail(c, B, "not a map");
        uint32_t n = o->via.map.size;
        if (n > f->max_count) return fail(c, L, "%u entries, at most %u", n, f->max_count);
        segue_entry_t *e = (segue_entry_t *)(void *)at;
        char here[160];
        snprintf(here, sizeof here, "%s", c->path);
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            snprintf(c->path, sizeof c->path, "%s.%.*s", here, (int)kv->key.via.str.size, kv->key.via.str.ptr);
            if ((r = get_str(c, &kv->key, K_NAME, &e[i].key)) || (r = get_str(c, &kv->val, K_TEXT, &e[i].value)))
                return r;
        }
        *(uint32_t *)(void *)(base + f->count_off) = n;
        return SEGUE_OK;
    }
    }
    return fail(c, B, "unknown field kind");
}

static segue_code_t decode_map(ctx_t *c, const msgpack_object *o, const table_t *t, char *base, const char *prefix) {
    if (o->type != MSGPACK_OBJECT_MAP) return fail(c, B, "not a map");
    for (size_t i = 0; i < t->n; i++) {
        const field_t *f = &t->fields[i];
        set_path(c, prefix, f->key);
        const msgpack_object *v = find(&o->via.map, f->key);
        if (!v) {
            if (f->optional) continue;
            return fail(c, B, "missing");
        }
        segue_code_t r = decode_field(c, f, v, base);
        if (r) return r;
        if (f->has_off) *(int *)(void *)(base + f->has_off) = 1;
    }
    return SEGUE_OK;
}

static int64_t seconds_at(int64_t seconds, int64_t rate) {
    return seconds * rate;
}

/* Checks between fields, after the table walk (section 6.1: before the audio length). */
static segue_code_t check_cross(ctx_t *c, segue_msg_t *m) {
    switch (m->type) {
    case SEGUE_T_SUBMIT: {
        int64_t den = m->context.time_sig_den;
        if (den != 1 && den != 2 && den != 4 && den != 8 && den != 16 && den != 32) {
            snprintf(c->path, sizeof c->path, "context.time_sig_den");
            return fail(c, B, "%lld is not one of 1, 2, 4, 8, 16, 32", (long long)den);
        }
        if (m->context.frames > seconds_at(60, m->context.sample_rate)) {
            snprintf(c->path, sizeof c->path, "context.frames");
            return fail(c, L, "%lld frames is over 60 s", (long long)m->context.frames);
        }
        if (m->request.has_length_bars == m->request.has_length_seconds) {
            snprintf(c->path, sizeof c->path, m->request.has_length_bars ? "request.length_bars" : "request.length_bars|length_seconds");
            return fail(c, B, "exactly one of length_bars and length_seconds");
        }
        if (m->request.has_length_bars) {
            double seconds = segue_seconds_for_bars(m->request.length_bars, m->context.tempo_bpm,
                                                    m->context.time_sig_num, m->context.time_sig_den);
            if (seconds > 600.0) {
                snprintf(c->path, sizeof c->path, "request.length_bars");
                return fail(c, L, "%g bars last %g s, over 600 s", m->request.length_bars, seconds);
            }
        }
        if (m->request.has_top_k && m->request.has_top_p) {
            snprintf(c->path, sizeof c->path, "request.top_k");
            return fail(c, B, "at most one of top_k and top_p");
        }
        return SEGUE_OK;
    }
    case SEGUE_T_EXTEND:
        if (m->has_length_bars == m->has_length_seconds) {
            snprintf(c->path, sizeof c->path, m->has_length_bars ? "length_bars" : "length_bars|length_seconds");
            return fail(c, B, "exactly one of length_bars and length_seconds");
        }
        return SEGUE_OK;
    case SEGUE_T_JOBS:
        for (uint32_t i = 0; i < m->n_jobs; i++) {
            if (m->jobs[i].takes_done > m->jobs[i].candidates) {
                snprintf(c->path, sizeof c->path, "jobs[%u].takes_done", i);
                return fail(c, B, "above candidates");
            }
        }
        return SEGUE_OK;
    case SEGUE_T_LABELS:
        /* A page lies within the list; past the end it is empty (offset may exceed total then). */
        if (m->n_label_names > 0 && m->label_offset + (int64_t)m->n_label_names > m->label_total) {
            snprintf(c->path, sizeof c->path, "names");
            return fail(c, B, "%u names from offset %lld run past total %lld", m->n_label_names,
                        (long long)m->label_offset, (long long)m->label_total);
        }
        return SEGUE_OK;
    case SEGUE_T_PROGRESS:
        if (m->tokens_done > m->tokens_total) {
            snprintf(c->path, sizeof c->path, "tokens_done");
            return fail(c, B, "above tokens_total");
        }
        return SEGUE_OK;
    case SEGUE_T_PREVIEW:
        if (m->frames > seconds_at(60, m->sample_rate)) {
            snprintf(c->path, sizeof c->path, "frames");
            return fail(c, L, "over 60 s");
        }
        if (m->offset_frames > seconds_at(600, m->sample_rate) - m->frames) {
            snprintf(c->path, sizeof c->path, "offset_frames");
            return fail(c, L, "the chunk ends after 600 s");
        }
        return SEGUE_OK;
    case SEGUE_T_RESULT:
        if (m->total_frames > seconds_at(600, m->sample_rate)) {
            snprintf(c->path, sizeof c->path, "total_frames");
            return fail(c, L, "over 600 s");
        }
        if (m->frames > seconds_at(60, m->sample_rate)) {
            snprintf(c->path, sizeof c->path, "frames");
            return fail(c, L, "over 60 s");
        }
        if (m->offset_frames > m->total_frames - m->frames) {
            snprintf(c->path, sizeof c->path, "offset_frames");
            return fail(c, B, "offset_frames + frames is past total_frames");
        }
        return SEGUE_OK;
    default: return SEGUE_OK;
    }
}

segue_code_t segue_decode(const segue_frame_t *frames, size_t n_frames, segue_msg_t *m, char *err, size_t err_cap) {
    ctx_t c = {err, err_cap, "frames"};
    memset(m, 0, sizeof *m);
    if (err && err_cap) err[0] = '\0';
    if (n_frames < 1 || n_frames > 2) return fail(&c, B, "%zu frames, a message has 1 or 2", n_frames);
    size_t total = 0;
    for (size_t i = 0; i < n_frames; i++) total += frames[i].size;
    if (total > MAX_MESSAGE_BYTES) return fail(&c, L, "%zu bytes, at most %u", total, MAX_MESSAGE_BYTES);
    c.path[0] = '\0';
    if (frames[0].size == 0) return fail(&c, B, "empty");
    if (frames[0].size > MAX_HEADER_BYTES) return fail(&c, L, "%zu bytes, at most %u", frames[0].size, MAX_HEADER_BYTES);

    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    segue_code_t r = SEGUE_OK;
    msgpack_unpack_return ur = msgpack_unpack_next(&up, (const char *)frames[0].data, frames[0].size, &off);
    if (ur == MSGPACK_UNPACK_CONTINUE) { r = fail(&c, B, "truncated"); goto out; }
    if (ur != MSGPACK_UNPACK_SUCCESS) { r = fail(&c, B, "not msgpack"); goto out; }
    if (up.data.type != MSGPACK_OBJECT_MAP) { r = fail(&c, B, "not a map"); goto out; }
    if ((r = check_structure(&c, &up.data, 1))) goto out;
    c.path[0] = '\0';
    if (off != frames[0].size) { r = fail(&c, B, "%zu bytes after the header map", frames[0].size - off); goto out; }

    const msgpack_object_map *h = &up.data.via.map;
    const msgpack_object *o;
    snprintf(c.path, sizeof c.path, "req");
    if (!(o = find(h, "req"))) { r = fail(&c, B, "missing"); goto out; }
    if ((r = get_int(&c, o, &m->req))) goto out;
    if (m->req < 0 || m->req > UINT32_MAXV) { r = fail(&c, B, "%lld outside 0..2^32-1", (long long)m->req); goto out; }
    snprintf(c.path, sizeof c.path, "v");
    if (!(o = find(h, "v"))) { r = fail(&c, B, "missing"); goto out; }
    if ((r = get_int(&c, o, &m->v))) goto out;
    if (m->v != 1) { r = fail(&c, SEGUE_UNSUPPORTED_VERSION, "version %lld; this peer speaks 1", (long long)m->v); goto out; }
    snprintf(c.path, sizeof c.path, "type");
    if (!(o = find(h, "type"))) { r = fail(&c, B, "missing"); goto out; }
    if (o->type != MSGPACK_OBJECT_STR) { r = fail(&c, B, "not a string"); goto out; }
    for (int t = 1; t < SEGUE_T_COUNT; t++) {
        if (key_is(o, TYPE_NAMES[t])) m->type = (segue_type_t)t;
    }
    if (m->type == SEGUE_T_NONE) { r = fail(&c, B, "not a message type of version 1"); goto out; }
    snprintf(c.path, sizeof c.path, "frames");
    if (segue_type_has_audio(m->type) != (n_frames == 2)) {
        r = fail(&c, B, n_frames == 2 ? "%s takes no audio frame" : "%s needs an audio frame", TYPE_NAMES[m->type]);
        goto out;
    }
    if ((r = decode_map(&c, &up.data, &TYPE_TABLES[m->type], (char *)m, ""))) goto out;
    if ((r = check_cross(&c, m))) goto out;

    if (n_frames == 2) {
        int64_t fr = m->type == SEGUE_T_SUBMIT ? m->context.frames : m->frames;
        int64_t ch = m->type == SEGUE_T_SUBMIT ? m->context.channels : m->channels;
        snprintf(c.path, sizeof c.path, m->type == SEGUE_T_SUBMIT ? "context.frames" : "frames");
        if ((uint64_t)frames[1].size != (uint64_t)fr * (uint64_t)ch * 4u) {
            r = fail(&c, B, "the audio frame has %zu bytes, the header says %lld", frames[1].size, (long long)(fr * ch * 4));
            goto out;
        }
        m->audio = frames[1].data;
        m->audio_bytes = frames[1].size;
        snprintf(c.path, sizeof c.path, "audio");
        for (size_t i = 0; i < frames[1].size / 4; i++) {
            const uint8_t *b = frames[1].data + 4 * i;
            if ((b[3] & 0x7f) == 0x7f && (b[2] & 0x80)) { /* exponent all ones: NaN or infinity */
                r = fail(&c, SEGUE_BAD_AUDIO, "sample %zu is not finite", i);
                goto out;
            }
        }
    }
out:
    msgpack_unpacked_destroy(&up);
    return r;
}

/* ---- encoding -------------------------------------------------------------------------------- */

static void pack_int(msgpack_packer *pk, int64_t v) {
    if (v >= 0) msgpack_pack_uint64(pk, (uint64_t)v);
    else msgpack_pack_int64(pk, v);
}

static void pack_str(msgpack_packer *pk, segue_str_t s) {
    msgpack_pack_str(pk, s.n);
    msgpack_pack_str_body(pk, s.p ? s.p : "", s.n);
}

static void pack_key(msgpack_packer *pk, const char *key) {
    pack_str(pk, segue_str(key));
}

static int entry_less(const segue_entry_t *a, const segue_entry_t *b) {
    uint32_t n = a->key.n < b->key.n ? a->key.n : b->key.n;
    int c = memcmp(a->key.p, b->key.p, n);
    return c < 0 || (c == 0 && a->key.n < b->key.n);
}

static int present(const field_t *f, const char *base) {
    return !f->optional || !f->has_off || *(const int *)(const void *)(base + f->has_off);
}

static void encode_map(msgpack_packer *pk, const table_t *t, const char *base);

static void encode_field(msgpack_packer *pk, const field_t *f, const char *base) {
    const char *at = base + f->off;
    switch (f->kind) {
    case K_INT: pack_int(pk, *(const int64_t *)(const void *)at); break;
    case K_UINT64: msgpack_pack_uint64(pk, *(const uint64_t *)(const void *)at); break;
    case K_FLOAT: msgpack_pack_double(pk, *(const double *)(const void *)at); break;
    case K_NAME: case K_TEXT: case K_LYRICS: case K_JOB: case K_QUALITY: case K_JOBSTATE: case K_LABELKIND:
        pack_str(pk, *(const segue_str_t *)(const void *)at);
        break;
    case K_BOOL:
        if (*(const int *)(const void *)at) msgpack_pack_true(pk);
        else msgpack_pack_false(pk);
        break;
    case K_CODE: pack_key(pk, segue_code_name(*(const segue_code_t *)(const void *)at)); break;
    case K_MAP: encode_map(pk, f->sub, base); break;
    case K_FLOATS: {
        uint32_t n = *(const uint32_t *)(const void *)(base + f->count_off);
        msgpack_pack_array(pk, n);
        for (uint32_t i = 0; i < n; i++) msgpack_pack_double(pk, ((const double *)(const void *)at)[i]);
        break;
    }
    case K_NAMES: case K_MAPS: {
        uint32_t n = *(const uint32_t *)(const void *)(base + f->count_off);
        msgpack_pack_array(pk, n);
        for (uint32_t i = 0; i < n; i++) {
            if (f->kind == K_NAMES) pack_str(pk, ((const segue_str_t *)(const void *)at)[i]);
            else encode_map(pk, f->sub, at + i * f->elem_size);
        }
        break;
    }
    case K_OPENMAP: {
        uint32_t n = *(const uint32_t *)(const void *)(base + f->count_off);
        const segue_entry_t *e = (const segue_entry_t *)(const void *)at;
        const segue_entry_t *sorted[SEGUE_MAX_METADATA];
        if (n > SEGUE_MAX_METADATA) n = SEGUE_MAX_METADATA;
        for (uint32_t i = 0; i < n; i++) { /* insertion sort: at most 32 entries */
            uint32_t j = i;
            while (j > 0 && entry_less(&e[i], sorted[j - 1])) { sorted[j] = sorted[j - 1]; j--; }
            sorted[j] = &e[i];
        }
        msgpack_pack_map(pk, n);
        for (uint32_t i = 0; i < n; i++) {
            pack_str(pk, sorted[i]->key);
            pack_str(pk, sorted[i]->value);
        }
        break;
    }
    }
}

static void encode_map(msgpack_packer *pk, const table_t *t, const char *base) {
    uint32_t n = 0;
    for (size_t i = 0; i < t->n; i++) n += (uint32_t)present(&t->fields[i], base);
    msgpack_pack_map(pk, n);
    for (size_t i = 0; i < t->n; i++) {
        if (!present(&t->fields[i], base)) continue;
        pack_key(pk, t->fields[i].key);
        encode_field(pk, &t->fields[i], base);
    }
}

int segue_encode_header(const segue_msg_t *m, uint8_t **out, size_t *out_size) {
    if (m->type <= SEGUE_T_NONE || m->type >= SEGUE_T_COUNT) return -1;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    const table_t *t = &TYPE_TABLES[m->type];
    uint32_t n = 3;
    for (size_t i = 0; i < t->n; i++) n += (uint32_t)present(&t->fields[i], (const char *)m);
    msgpack_pack_map(&pk, n);
    pack_key(&pk, "v");
    pack_int(&pk, m->v ? m->v : 1);
    pack_key(&pk, "type");
    pack_key(&pk, TYPE_NAMES[m->type]);
    pack_key(&pk, "req");
    pack_int(&pk, m->req);
    for (size_t i = 0; i < t->n; i++) {
        if (!present(&t->fields[i], (const char *)m)) continue;
        pack_key(&pk, t->fields[i].key);
        encode_field(&pk, &t->fields[i], (const char *)m);
    }
    if (!sb.data) return -1;
    *out = (uint8_t *)sb.data; /* msgpack_sbuffer allocates with malloc: the caller frees */
    *out_size = sb.size;
    return 0;
}
