/*
 * segue_core.h: everything the plugin does, behind a small C interface the DPF class calls.
 *
 * Threads (who may call what):
 *   audio thread   segue_core_process, segue_core_set_param, segue_core_get_param
 *   control thread create, destroy, activate, deactivate, state_save, state_restore, set_param, get_param
 *   UI thread      set_param, get_param, segue_core_view (a lock-free copy of what the client thread shows)
 *   client thread  started by the core at the first activate: the only thread that talks to the
 *                  daemon, copies primes, allocates takes and writes stems.
 * segue_core_process never allocates, locks, logs or makes a system call.
 */
#ifndef SEGUE_CORE_H
#define SEGUE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "song_text.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameter indices: also the DPF/LV2/VST3/CLAP parameter order (see CONTRACT.md). */
enum segue_param {
    SEGUE_P_GENERATE = 0,  /* 0/1: fires on the rising edge */
    SEGUE_P_CAPTURE_BARS,  /* 1..16 bars of prime */
    SEGUE_P_GENERATE_BARS, /* 1..32 bars to generate */
    SEGUE_P_TAKES,         /* 1..16 takes per generation */
    SEGUE_P_TAKE,          /* 1..16: the take that plays */
    SEGUE_P_TEMPERATURE,   /* 0.1..2.0 */
    SEGUE_P_PRESET,        /* index into the daemon's presets; 0 = "sketch" */
    SEGUE_P_MONITOR,       /* 0 dry, 1 take, 2 both */
    SEGUE_P_AUTO_FIRE_BAR, /* 0 off, else fire at the start of this 1-based bar */
    SEGUE_P_FALLBACK_BPM,  /* tempo when the host gives none (offline renderers) */
    SEGUE_P_STATE,         /* output: enum segue_state */
    SEGUE_P_PROGRESS,      /* output: 0..100 */
    SEGUE_P_TIER,          /* 0 sketch, 1 draft, 2 full: the protocol's request.quality */
    SEGUE_P_EXTEND,        /* 0/1: rising edge extends the selected take of the latest job by generate_bars */
    SEGUE_P_CANCEL,        /* 0/1: rising edge cancels the running generation or extension */
    SEGUE_P_LEVEL,         /* output: 1 + the prior level being sampled (progress.level 0..7); 0 when none */
    SEGUE_P_ETA,           /* output: seconds the daemon expects until done (progress.eta_ms); 0 unknown */
    SEGUE_P_BYPASS,        /* 0/1: 1 passes the input through untouched (the host's bypass) */
    SEGUE_P_COUNT
};

enum segue_state {
    SEGUE_STATE_OFFLINE = 0,
    SEGUE_STATE_IDLE = 1,
    SEGUE_STATE_CAPTURING = 2,
    SEGUE_STATE_SENDING = 3,
    SEGUE_STATE_GENERATING = 4,
    SEGUE_STATE_READY = 5,
    SEGUE_STATE_ERROR = 6
};

typedef struct {
    const char *symbol;
    const char *name;
    const char *unit;
    float min, max, def;
    int integer, output, trigger;
    const char *const *labels; /* value labels for 0, 1, ... (enumerations), or NULL */
    const char *description;
} segue_param_info_t;

const segue_param_info_t *segue_param_info(uint32_t index);

typedef struct {
    const char *endpoint;  /* NULL: $SEGUE_ENDPOINT, else tcp://127.0.0.1:5575 */
    const char *stems_dir; /* NULL: $SEGUE_STEMS_DIR, else $HOME/Segue/stems */
    const char *track;     /* NULL: "track" */
} segue_config_t;

typedef struct segue_core segue_core_t;

segue_core_t *segue_core_create(const segue_config_t *config);
void segue_core_destroy(segue_core_t *core);

/* Allocates the capture ring for this rate (64 s) and starts the client thread on first use; 0 on success. */
int segue_core_activate(segue_core_t *core, double sample_rate);
void segue_core_deactivate(segue_core_t *core);

/* Audio thread. in/out are two channel buffers each; out may alias in. */
void segue_core_process(segue_core_t *core, const float *const *in, float *const *out, uint32_t frames,
                          const segue_host_time_t *host);

void segue_core_set_param(segue_core_t *core, uint32_t index, float value);
float segue_core_get_param(const segue_core_t *core, uint32_t index);

/* Plugin state (control thread): a small text (job ids, stem paths, stems folder, track). */
size_t segue_core_state_save(segue_core_t *core, char *out, size_t cap);
int segue_core_state_restore(segue_core_t *core, const char *text);

/* Control thread: the track name used in stem names ([A-Za-z0-9_-], others become '_'). */
void segue_core_set_track(segue_core_t *core, const char *track);
void segue_core_set_stems_dir(segue_core_t *core, const char *dir);
/* Copies the current value; for DPF's state keys. */
void segue_core_get_track(segue_core_t *core, char *out, size_t cap);
void segue_core_get_stems_dir(segue_core_t *core, char *out, size_t cap);

/* Control thread: the request's lyrics, artist or genre (song_text.h), sent with every later submit; NULL
 * or "" clears it (not sent). A value outside the protocol's bounds (over 4096 / 128 bytes, not UTF-8)
 * is refused: -1, the previous value stays, and the reason goes to the status line and the log. */
int segue_core_set_text(segue_core_t *core, segue_text_t which, const char *value);
/* Copies the current value (truncated to cap); "" when none or `which` is unknown. */
void segue_core_get_text(segue_core_t *core, segue_text_t which, char *out, size_t cap);

/* Control thread: the daemon's CurveZMQ public key (a daemon started with --curve-keys DIR): its 40 Z85
 * characters, its server.public certificate's text, or that file's path; NULL or "" speaks plain ZMTP
 * (a loopback daemon). The default comes from $SEGUE_SERVER_KEY. A change reconnects. */
void segue_core_set_server_key(segue_core_t *core, const char *value);
void segue_core_get_server_key(segue_core_t *core, char *out, size_t cap);

/* Any non-audio thread (a UI): the public key this plugin presents to a CurveZMQ daemon (40 Z85
 * characters) and the file that holds it (client.public, ready for the daemon's clients/ folder), so the
 * producer can hand it to the daemon's operator. The user's key pair is read, or made on first use, by
 * this call or by the client thread's first CurveZMQ connection, whichever comes first; "" when it cannot be
 * (no $HOME: the reason is in the status line once the client thread tries). */
void segue_core_client_key(segue_core_t *core, char *public_z85, size_t cap, char *public_file, size_t file_cap);

/* Any non-audio thread (a UI): the path of take `take` (1-based)'s stem for the generation `job` (the
 * view's job), as written on disk: the bar-named file that starts where the prime ends. 0 with the path
 * in out; -1 with "" when the job has no such stem yet (still streaming, not written, deleted since). */
int segue_core_take_stem(segue_core_t *core, const char *job, uint32_t take, char *out, size_t cap);

/* The last status line the client thread wrote ("offline: ...", "job j1-2: 3 of 4 takes", ...). */
void segue_core_status_text(segue_core_t *core, char *out, size_t cap);

/* ---- the view: what a plugin window shows ---------------------------------------------------------
 * The client thread publishes it (at most every 50 ms, when something changed) through a seqlock; a UI thread
 * copies it out with segue_core_view without taking any lock and without ever meeting the audio
 * thread. Scalars a host also automates or displays (state, progress, level, ETA, the controls) are
 * parameters instead. Thumbnails: per take, the peak of |sample| over each of SEGUE_VIEW_COLUMNS equal
 * slices of the longest take, in decibels: 0 silence (below SEGUE_VIEW_DB_FLOOR), 1..255 from the floor
 * to 0 dBFS; filled forward as previews and results arrive. */
#define SEGUE_VIEW_COLUMNS 192
#define SEGUE_VIEW_DB_FLOOR (-72.0)
#define SEGUE_VIEW_TEXT 256

typedef struct {
    uint32_t serial;                   /* bumps with every publish */
    int online;                        /* the daemon answers */
    char endpoint[SEGUE_VIEW_TEXT];
    char status[SEGUE_VIEW_TEXT];      /* the last status line, errors in words */
    char preset[129], prior[129];      /* the preset the `preset` parameter selects, and its prior */
    int prior_levels;                  /* that prior's levels: a submit's temperatures, one per level */
    int prior_tiers;                   /* the tiers it serves: 1 sketch, 2 draft too, 3 full too (0: unknown) */
    char job[65];                      /* the latest job ("" none) */
    int64_t start_bar;                 /* 0-based bar where its takes start */
    double bpm;
    uint32_t n_takes;
    uint64_t total_frames;             /* the longest take, extensions included */
    uint32_t rate;
    uint32_t take_frames[16];          /* each take's length on the timeline, in frames (SEGUE_MAX_TAKES) */
    uint32_t take_covered[16];         /* frames of it received so far (preview or final) */
    uint8_t take_final[16];            /* 1 when the take's final audio is complete */
    uint8_t take_extended[16];         /* extensions appended to the take */
    uint32_t take_first_frames[16];    /* the take's length as generated, before any extension */
    int extending;                     /* 1 + the take being extended now, 0 none */
    uint8_t peak[16][SEGUE_VIEW_COLUMNS];
} segue_view_t;

/* UI thread (any thread): copies the latest view into *out. Lock-free: when the client thread is writing it
 * at that moment, a few retries, then -1 (keep the previous copy). 0 on success. */
int segue_core_view(segue_core_t *core, segue_view_t *out);

/* The protocol's name of a tier (request.quality): "sketch", "draft", "full". */
const char *segue_tier_name(int tier);

#ifdef __cplusplus
}
#endif
#endif
