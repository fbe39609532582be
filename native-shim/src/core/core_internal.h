/*
 * core_internal.h: the core's shared state, between audio_thread.c (the audio thread), control.c (the
 * host's main thread and the UI) and client.c (the client thread). Every field says which threads touch it.
 */
#ifndef SEGUE_CORE_INTERNAL_H
#define SEGUE_CORE_INTERNAL_H

#include <stdatomic.h>

#include "platform/platform.h"
#include "ring.h"
#include "segue_core.h"
#include "song_text.h"
#include "takes.h"
#include "transport.h"

#define SEGUE_RING_SECONDS 64 /* the longest prime (60 s) plus 4 s for the client thread (it looks every 20 ms) to copy it */
#define SEGUE_MAX_HISTORY 8   /* jobs remembered in the plugin state */

/* What the audio thread tells the client thread when it fires: the prime ends at end_frame, a bar line. */
typedef struct {
    int64_t end_frame;        /* timeline sample where the prime ends and the takes start */
    int64_t end_bar;          /* its 0-based bar */
    uint64_t end_count;       /* ring count of end_frame */
    uint64_t first_count;     /* ring count of the first captured frame that may be used */
    double bpm;
    int num, den;
    double rate;
    int capture_bars, generate_bars, takes, preset, tier;
    float temperature;
} segue_fire_t;

typedef struct {
    char job[65];
    int64_t start_frame, start_bar; /* 0-based bar */
    uint32_t rate, n_takes;
    uint64_t total_frames;
    double bpm;
    int num, den;
    /* 0: a generation. K (1-based): an extension of take K of the newest generation recorded before it
     * (one take, stems[0]; it starts where that take, with its earlier extensions, ends). A reload puts
     * them back together, so the whole placed take plays, not the extension alone. */
    int extends_take;
    char stems[SEGUE_MAX_TAKES][1024];
} segue_job_record_t;

struct segue_core {
    /* control thread + client thread, under `lock` */
    segue_mutex_t *lock;
    char endpoint[256];
    char stems_dir[1024];
    char track[65];
    char status[256];
    /* CurveZMQ (curve.h): the daemon's key as given (Z85, certificate text or file path; "" = plain), and
     * the client public key the client thread presents (Z85, "" until it first connected with CurveZMQ) */
    char server_key[1024];
    char client_public[41];
    char client_public_path[1024];
    /* lyrics, artist, genre (song_text.h); checked when set, "" = not sent. The client thread copies them into
     * each submit, so a value set from the host's state reaches the daemon without touching the audio thread. */
    char text[SEGUE_TEXT_COUNT][SEGUE_LYRICS_MAX_BYTES + 1];
    segue_job_record_t history[SEGUE_MAX_HISTORY]; /* oldest first */
    int n_history;
    int restore_pending;       /* the client thread should load or fetch history after a state restore */

    /* parameters: any thread */
    _Atomic float param[SEGUE_P_COUNT];

    /* audio thread only */
    segue_transport_t transport;
    double rate;
    float last_generate;
    int64_t auto_fired_frame;  /* bar line auto-fire last fired at; -1 none */
    int segment_valid;
    int64_t segment_start_frame;
    uint64_t segment_start_count;
    int64_t segment_end_frame;

    /* audio -> client thread */
    segue_ring_t ring;         /* allocated at activate (under ring_lock, with the client thread) */
    segue_mutex_t *ring_lock; /* activate/deactivate vs the client thread's copy; never the audio thread */
    _Atomic uint32_t fire_seq; /* seqlock over `fire`: odd while the audio thread writes */
    segue_fire_t fire;
    _Atomic int fire_refused;  /* the audio thread had nothing to fire with (no captured bar) */
    _Atomic int playing;
    float last_extend;         /* audio thread only: the extend trigger's previous value */
    _Atomic uint32_t extend_seq; /* bumped by the audio thread on each rising edge of `extend` */
    float last_cancel;         /* audio thread only */
    _Atomic uint32_t cancel_seq; /* bumped on each rising edge of `cancel` */

    /* client thread -> audio */
    _Atomic int client_state;  /* enum segue_state */
    _Atomic float progress;
    _Atomic(segue_takeset_t *) takes;       /* what plays */
    _Atomic(segue_takeset_t *) audio_using; /* hazard: the set process() is reading */
    _Atomic int level;         /* progress.level of the running job */
    _Atomic float eta_s;       /* progress.eta_ms / 1000 */

    /* client thread -> UI: the view (segue_core.h), a seqlock written by the client thread only */
    _Atomic uint32_t view_seq; /* odd while the client thread writes */
    segue_view_t view;

    /* client thread lifecycle (control thread) */
    segue_thread_t *client_thread;
    _Atomic int stop;
    /* Set with stop by destroy when SEGUE_FINISH_WAIT_S asks for it: the client thread may first finish an
     * in-flight job (and write its stems) until this monotonic time, in ms. 0: leave at once. */
    _Atomic uint64_t finish_deadline_ms;
};

/* client.c */
void *segue_client_main(void *core);
/* Client thread: publishes a new take set and frees the old one once the audio thread has let go of it. */
void segue_core_publish_takes(struct segue_core *e, segue_takeset_t *set);
void segue_core_set_status(struct segue_core *e, const char *fmt, ...);
/* Client thread: publishes *view (seqlock; never blocks the reader, never seen by the audio thread). */
void segue_core_publish_view(struct segue_core *e, const segue_view_t *view);

#endif
