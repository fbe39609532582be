/*
 * client.c: the one thread that talks to the daemon (PROTOCOL.md), so no host thread ever waits on
 * the network.
 *
 * Loop, every 20 ms at most:
 *   - connection: a DEALER socket; hello -> capabilities, then list_priors and list_presets.
 *     A heartbeat every 2 s; after 3 unanswered (no message at all for 6 s) the daemon is offline:
 *     the socket is dropped and a fresh one tries again every second. A job running when the
 *     connection dropped is re-attached with `fetch` once the daemon answers again.
 *   - fire: a request from the audio thread (seqlock mailbox) becomes a prime copied from the ring
 *     and a `submit` with the DAW context.
 *   - job messages: progress -> progress %, preview and result chunks -> the take set that plays,
 *     done -> stems on disk and a record in the plugin state.
 *   - extend: a rising edge of `extend` (from the audio thread) continues the selected take of the latest
 *     job by generate_bars (protocol `extend`); the extension is placed right after the take and plays
 *     as part of it, and is written as its own stem starting at its bar.
 *   - cancel: a rising edge of `cancel` stops the job being followed (protocol `cancel`); a job not yet
 *     accepted is cancelled as soon as its `accepted` names it.
 *   - project reload: stems on disk are loaded for playback, the newest generation with its extensions put
 *     back together; missing ones are fetched again first.
 *   - the view: at most every 50 ms, what a plugin window shows (status, prior, takes' thumbnails) is
 *     published through a seqlock for the UI thread (segue_core_view).
 * Sockets use zmq_poll with a timeout and non-blocking sends: a dead daemon costs nothing but a retry.
 *
 * One literate file of about 1300 lines, in banners (sending, connection, jobs, project reload, extend,
 * cancel, the view, the loop), because every part reads and writes the one client_t, which only this thread
 * owns: kept file-static, no other file of the core can touch the client thread's state, and that is what makes the
 * thread rules of core_internal.h checkable by reading one file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "codec.h"
#include "curve.h"
#include "core_internal.h"
#include "stem_writer.h"

#define POLL_MS 20
#define HEARTBEAT_MS 2000
#define MISSED_HEARTBEATS 3
#define RECONNECT_MS 1000
#define MAX_PRIORS 32
#define MAX_TAKE_BYTES (1024u * 1024u * 1024u) /* one generation's audio in memory, all takes */
#define VIEW_MS 50

typedef struct {
    char name[129];
    int levels;
    int tiers; /* the tiers it serves: 1 sketch, 2 draft too, 3 full too */
} prior_t;

typedef struct {
    char name[129], prior[129];
} preset_t;

typedef enum { JOB_NONE, JOB_SUBMITTED, JOB_RUNNING, JOB_FETCHING } job_phase_t;

/* The job the client thread is following: a fresh generation or a fetch after a project reload. */
typedef struct {
    job_phase_t phase;
    int64_t req;
    segue_job_record_t rec;      /* job id, placement, tempo; stems filled as they are written */
    segue_takeset_t *set;        /* published: the audio thread may be reading it */
    uint64_t result_frames[SEGUE_MAX_TAKES];
    int history_index;           /* for a fetch: which history record to complete; -1 = append */
    int extend_take;             /* an extension: the take (0-based) it continues; -1 otherwise */
    uint64_t extend_offset;      /* an extension: where it starts, in frames from the take set's start */
} job_t;

/* What each take on the timeline continues from when it is extended: the job and candidate that made
 * its last part (the take itself, or its latest extension), and its length so far. */
typedef struct {
    char job[65];
    int candidate;
    uint64_t frames;
    uint64_t first_frames; /* as generated, before extensions */
    int extended;
} take_source_t;

typedef struct {
    segue_core_t *e;
    void *zctx, *sock;
    void *monitor;                      /* PAIR socket reading the DEALER's handshake events (CurveZMQ only) */
    char key_value[1024];               /* the daemon key the socket was made with ("" = plain) */
    char client_pub[41], client_sec[41];
    int have_client_keys;
    int not_authorised;                 /* the daemon refused this plugin's key in the last handshake */
    int online;
    uint64_t next_connect_ms, last_heard_ms, last_heartbeat_ms;
    int heartbeats_unanswered;
    int64_t next_req;
    uint32_t seen_fire_seq;
    segue_fire_t held_fire;             /* a fire that came before the daemon's presets did */
    int fire_held;
    uint64_t fire_held_since_ms;
    prior_t priors[MAX_PRIORS];
    int n_priors;
    preset_t presets[SEGUE_MAX_LIST];
    int n_presets;
    job_t job;
    int fetch_queue[SEGUE_MAX_HISTORY]; /* history indices whose stems are missing */
    int n_fetch;
    int place_pending;                  /* after a reload: put the takes on the timeline once fetches are done */
    segue_msg_t msg;                    /* decode target (large: kept off the stack) */
    char texts[SEGUE_TEXT_COUNT][SEGUE_LYRICS_MAX_BYTES + 1]; /* this submit's lyrics, artist, genre */
    uint32_t seen_extend_seq, seen_cancel_seq;
    int64_t cancelled_req;              /* a submit or extend cancelled before its `accepted` came */
    segue_job_record_t base;            /* the latest finished job: where its takes sit on the timeline */
    take_source_t src[SEGUE_MAX_TAKES]; /* per take of `base`; n_src 0 = nothing to extend */
    uint32_t n_src;
    const segue_takeset_t *base_set;    /* the published set those takes play from; NULL once replaced */
    segue_view_t view;                  /* built and published by update_view */
    uint64_t next_view_ms;
    uint64_t thumb_upto[SEGUE_MAX_TAKES];  /* frames of each take already in the thumbnails */
    uint64_t thumb_final[SEGUE_MAX_TAKES]; /* of those, frames drawn from final audio */
    uint32_t sets_published;            /* counts take sets published (an address may be reused) */
    uint32_t thumb_set;                 /* sets_published when the thumbnails were started */
} client_t;

/* How long a fire waits for the daemon's presets before it is given up as offline. */
#define FIRE_HOLD_MS 10000u

static void set_state(client_t *w, int state) {
    atomic_store(&w->e->client_state, state);
}

static void copy_view(char *dst, size_t cap, segue_str_t s) {
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

void segue_core_publish_takes(segue_core_t *e, segue_takeset_t *set) {
    segue_takeset_t *old = atomic_exchange(&e->takes, set);
    if (!old) return;
    while (atomic_load(&e->audio_using) == old) segue_platform_sleep_ms(1); /* at most one audio block */
    segue_takeset_free(old);
}

/* ---- sending ----------------------------------------------------------------------------------- */

static int send_msg(client_t *w, segue_msg_t *m, const void *audio, size_t audio_bytes) {
    if (!w->sock) return -1;
    uint8_t *hdr;
    size_t n;
    m->v = 1;
    if (segue_encode_header(m, &hdr, &n) != 0) return -1;
    int more = segue_type_has_audio(m->type) ? ZMQ_SNDMORE : 0;
    int rc = zmq_send(w->sock, hdr, n, ZMQ_DONTWAIT | more) < 0 ? -1 : 0;
    free(hdr);
    if (rc == 0 && more) rc = zmq_send(w->sock, audio, audio_bytes, ZMQ_DONTWAIT) < 0 ? -1 : 0;
    return rc;
}

static int64_t new_req(client_t *w) {
    if (w->next_req < 1 || w->next_req > 4000000000LL) w->next_req = 1;
    return w->next_req++;
}

static void send_simple(client_t *w, segue_type_t type) {
    segue_msg_t *m = calloc(1, sizeof *m);
    if (!m) return;
    m->type = type;
    m->req = new_req(w);
    if (type == SEGUE_T_HELLO) {
        m->client = segue_str("segue-shim");
        m->client_version = segue_str("0.1.0");
        m->want_version = 1;
    } else if (type == SEGUE_T_HEARTBEAT) {
        m->t_ms = (int64_t)segue_platform_now_ms();
    }
    send_msg(w, m, NULL, 0);
    free(m);
}

static void send_fetch(client_t *w, const char *job, int64_t req) {
    segue_msg_t *m = calloc(1, sizeof *m);
    if (!m) return;
    m->type = SEGUE_T_FETCH;
    m->req = req;
    m->job = segue_str(job);
    send_msg(w, m, NULL, 0);
    free(m);
}

static void send_cancel(client_t *w, const char *job) {
    segue_msg_t *m = calloc(1, sizeof *m);
    if (!m) return;
    m->type = SEGUE_T_CANCEL;
    m->req = new_req(w);
    m->job = segue_str(job);
    send_msg(w, m, NULL, 0);
    free(m);
}

/* ---- connection -------------------------------------------------------------------------------- */

static void close_monitor(client_t *w) {
    if (!w->monitor) return;
    zmq_close(w->monitor);
    w->monitor = NULL;
}

static void disconnect(client_t *w, const char *why) {
    if (w->sock && w->monitor) zmq_socket_monitor(w->sock, NULL, 0);
    close_monitor(w);
    if (w->sock) zmq_close(w->sock);
    w->sock = NULL;
    w->online = 0;
    w->next_connect_ms = segue_platform_now_ms() + RECONNECT_MS;
    if (w->not_authorised) { /* keep saying why: "offline" would hide it */
        set_state(w, SEGUE_STATE_ERROR);
        return;
    }
    set_state(w, SEGUE_STATE_OFFLINE);
    segue_core_set_status(w->e, "offline: %s", why);
}

/* A connection that could not be set up at all (bad key, no key pair): an error, retried later. */
static void connect_failed(client_t *w, const char *why) {
    close_monitor(w);
    if (w->sock) zmq_close(w->sock);
    w->sock = NULL;
    w->online = 0;
    w->next_connect_ms = segue_platform_now_ms() + 5u * RECONNECT_MS;
    set_state(w, SEGUE_STATE_ERROR);
    segue_core_set_status(w->e, "error: %s", why);
}

/* CurveZMQ: the daemon's key, this user's key pair (made on first use, here on the client thread), and a
 * monitor on the socket so that a refused handshake is seen (the daemon sends nothing to a client it
 * does not let in). Returns 0 when the socket is ready to connect. */
static int setup_curve(client_t *w, const char *endpoint) {
    char server[SEGUE_Z85_KEY_CHARS + 1], why[1200], path[1024];
    if (segue_curve_server_key(w->key_value, server, why, sizeof why) != 0) {
        connect_failed(w, why);
        return -1;
    }
    if (!w->have_client_keys) {
        if (segue_curve_client_keys(w->client_pub, w->client_sec, path, sizeof path, why, sizeof why) != 0) {
            connect_failed(w, why);
            return -1;
        }
        w->have_client_keys = 1;
        segue_platform_mutex_lock(w->e->lock);
        snprintf(w->e->client_public, sizeof w->e->client_public, "%s", w->client_pub);
        snprintf(w->e->client_public_path, sizeof w->e->client_public_path, "%s", path);
        segue_platform_mutex_unlock(w->e->lock);
        fprintf(stderr, "segue: CurveZMQ client key %s (%s: put it in the daemon's clients/ folder)\n", w->client_pub, path);
    }
    zmq_setsockopt(w->sock, ZMQ_CURVE_SERVERKEY, server, SEGUE_Z85_KEY_CHARS);
    zmq_setsockopt(w->sock, ZMQ_CURVE_PUBLICKEY, w->client_pub, SEGUE_Z85_KEY_CHARS);
    zmq_setsockopt(w->sock, ZMQ_CURVE_SECRETKEY, w->client_sec, SEGUE_Z85_KEY_CHARS);
    char addr[64];
    snprintf(addr, sizeof addr, "inproc://segue-handshake-%p", (void *)w);
    int events = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
    if (zmq_socket_monitor(w->sock, addr, events) == 0) {
        w->monitor = zmq_socket(w->zctx, ZMQ_PAIR);
        if (w->monitor && zmq_connect(w->monitor, addr) != 0) close_monitor(w);
    }
    (void)endpoint;
    return 0;
}

/* Handshake events from the monitor: a refusal becomes "not authorised" (state error), said once per
 * refusal streak; libzmq keeps retrying the connection, so a key added to clients/ later is let in. */
static void read_monitor(client_t *w) {
    for (int budget = 0; w->monitor && budget < 16; budget++) {
        zmq_msg_t head, addr;
        zmq_msg_init(&head);
        if (zmq_msg_recv(&head, w->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&head);
            return;
        }
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size(&head) >= 6) {
            memcpy(&event, zmq_msg_data(&head), 2);
            memcpy(&value, (const uint8_t *)zmq_msg_data(&head) + 2, 4);
        }
        int more = zmq_msg_more(&head);
        zmq_msg_close(&head);
        if (more) {
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, w->monitor, ZMQ_DONTWAIT);
            zmq_msg_close(&addr);
        }
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            w->not_authorised = 0;
        } else if (event & (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                            ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)) {
            w->online = 0;
            set_state(w, SEGUE_STATE_ERROR);
            if (!w->not_authorised) {
                w->not_authorised = 1;
                char path[1024];
                segue_core_client_key(w->e, NULL, 0, path, sizeof path);
                segue_core_set_status(w->e, "error: not authorised: the daemon refused this plugin's CurveZMQ key %s "
                                              "(handshake %s %u); copy %s into the daemon's clients/ folder",
                                        w->client_pub, event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "auth" : "failed", value, path);
            }
        }
    }
}

static void connect_daemon(client_t *w) {
    char endpoint[256];
    segue_platform_mutex_lock(w->e->lock);
    snprintf(endpoint, sizeof endpoint, "%s", w->e->endpoint);
    snprintf(w->key_value, sizeof w->key_value, "%s", w->e->server_key);
    segue_platform_mutex_unlock(w->e->lock);
    w->sock = zmq_socket(w->zctx, ZMQ_DEALER);
    if (!w->sock) {
        disconnect(w, "no socket");
        return;
    }
    int linger = 0, reconnect = 500;
    int64_t max_msg = 100663296;
    zmq_setsockopt(w->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(w->sock, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
    zmq_setsockopt(w->sock, ZMQ_MAXMSGSIZE, &max_msg, sizeof max_msg);
    if (w->key_value[0] && setup_curve(w, endpoint) != 0) return;
    if (zmq_connect(w->sock, endpoint) != 0) {
        disconnect(w, "bad endpoint");
        return;
    }
    uint64_t now = segue_platform_now_ms();
    w->last_heard_ms = now;
    w->last_heartbeat_ms = now;
    w->heartbeats_unanswered = 0;
    send_simple(w, SEGUE_T_HELLO);
}

/* ---- jobs -------------------------------------------------------------------------------------- */

static void end_job(client_t *w) {
    w->job.phase = JOB_NONE;
    w->job.set = NULL; /* stays published: it is what plays */
}

static void job_failed(client_t *w, const char *fmt, const char *detail) {
    char text[256];
    snprintf(text, sizeof text, fmt, detail);
    segue_core_set_status(w->e, "error: %s", text);
    set_state(w, SEGUE_STATE_ERROR);
    end_job(w);
}

static const preset_t *preset_at(client_t *w, int index) {
    return index >= 0 && index < w->n_presets ? &w->presets[index] : NULL;
}

/* The preset a submit names for its tier. The daemon's "sketch" preset serves the sketch tier only, so a
 * deeper tier chosen on it goes to the same prior's "studio" preset (every tier the prior has); the
 * host bridge's CLI and app likewise take "studio" for a deeper tier when no preset is named. With no
 * such preset the chosen one is sent, and the daemon's refusal names the tier. */
static const preset_t *preset_for_tier(client_t *w, const preset_t *chosen, int tier) {
    if (tier <= 0 || strcmp(chosen->name, "sketch") != 0) return chosen;
    for (int i = 0; i < w->n_presets; i++) {
        if (strcmp(w->presets[i].name, "studio") == 0 && strcmp(w->presets[i].prior, chosen->prior) == 0) {
            return &w->presets[i];
        }
    }
    return chosen;
}

static int prior_levels(client_t *w, const char *name) {
    for (int i = 0; i < w->n_priors; i++) {
        if (strcmp(w->priors[i].name, name) == 0) return w->priors[i].levels;
    }
    return 1;
}

static int prior_tiers(client_t *w, const char *name) {
    for (int i = 0; i < w->n_priors; i++) {
        if (strcmp(w->priors[i].name, name) == 0) return w->priors[i].tiers;
    }
    return 1;
}

/* The tiers a prior serves: its max_quality when the daemon says it (sketch 1, draft 2, full 3); from a daemon
 * that does not, one tier per level (the daemon still refuses, in words, a tier whose upsampler it lacks). */
static int tiers_of(const segue_prior_info_t *p) {
    if (p->has_max_quality) {
        for (int t = 0; t < 3; t++) {
            const char *name = segue_tier_name(t);
            if (strlen(name) == p->max_quality.n && memcmp(name, p->max_quality.p, p->max_quality.n) == 0) return t + 1;
        }
    }
    return p->levels < 1 ? 1 : p->levels > 3 ? 3 : (int)p->levels;
}

/* A fire request from the audio thread, read through the seqlock; 1 when there is a new one. */
static int take_fire(client_t *w, segue_fire_t *out) {
    segue_core_t *e = w->e;
    for (int tries = 0; tries < 100; tries++) {
        uint32_t s1 = atomic_load_explicit(&e->fire_seq, memory_order_acquire);
        if (s1 == w->seen_fire_seq) return 0;
        if (s1 & 1u) {
            segue_platform_sleep_ms(1);
            continue;
        }
        *out = e->fire;
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&e->fire_seq, memory_order_relaxed) == s1) {
            w->seen_fire_seq = s1;
            return 1;
        }
    }
    return 0;
}

/* Lyrics, artist and genre as the host's state set them (checked against the protocol's bounds when
 * set): copied under the core lock into the client thread's own buffers, which the message points into
 * until it is encoded. Empty ones are left out of the request. */
static void add_song_texts(client_t *w, segue_msg_t *m) {
    segue_platform_mutex_lock(w->e->lock);
    memcpy(w->texts, w->e->text, sizeof w->texts);
    segue_platform_mutex_unlock(w->e->lock);
    struct { segue_str_t *field; int *present; } slot[SEGUE_TEXT_COUNT] = {
        [SEGUE_TEXT_LYRICS] = {&m->request.lyrics, &m->request.has_lyrics},
        [SEGUE_TEXT_ARTIST] = {&m->request.artist, &m->request.has_artist},
        [SEGUE_TEXT_GENRE] = {&m->request.genre, &m->request.has_genre},
    };
    for (int i = 0; i < SEGUE_TEXT_COUNT; i++) {
        w->texts[i][SEGUE_LYRICS_MAX_BYTES] = '\0';
        if (!w->texts[i][0]) continue;
        *slot[i].field = segue_str(w->texts[i]);
        *slot[i].present = 1;
    }
}

static void submit(client_t *w, const segue_fire_t *f) {
    segue_core_t *e = w->e;
    w->place_pending = 0; /* a new generation replaces what a reload would have put back */
    if (!w->online) {
        segue_core_set_status(e, "offline: generate needs the daemon (%s)", e->endpoint);
        return;
    }
    const preset_t *preset = preset_at(w, f->preset);
    if (!preset) {
        job_failed(w, "%s", "the preset index is past the daemon's presets");
        return;
    }
    preset = preset_for_tier(w, preset, f->tier);
    double spb = segue_samples_per_bar(f->rate, f->bpm, f->num, f->den);
    /* The prime: capture_bars before the bar line, within what was captured, at most 60 s. */
    uint64_t want = (uint64_t)llround(f->capture_bars * spb);
    uint64_t max = (uint64_t)(60.0 * f->rate);
    if (want > max) want = max;
    uint64_t from = f->end_count - f->first_count > want ? f->end_count - want : f->first_count;
    uint64_t frames = f->end_count - from;
    if (frames < 1) {
        job_failed(w, "%s", "nothing captured before the bar");
        return;
    }
    float *prime = malloc((size_t)frames * 2u * sizeof(float));
    if (!prime) {
        job_failed(w, "%s", "out of memory for the prime");
        return;
    }
    segue_platform_mutex_lock(e->ring_lock);
    int copied = segue_ring_copy(&e->ring, from, f->end_count, prime);
    segue_platform_mutex_unlock(e->ring_lock);
    if (copied != 0) {
        free(prime);
        job_failed(w, "%s", "the prime was overwritten before it could be sent");
        return;
    }
    for (uint64_t i = 0; i < frames * 2u; i++) {
        if (!isfinite(prime[i])) prime[i] = 0.0f; /* a host's NaN must not cost the whole request */
    }
    set_state(w, SEGUE_STATE_SENDING);
    atomic_store(&e->progress, 0.0f);

    segue_msg_t *m = calloc(1, sizeof *m);
    if (!m) {
        free(prime);
        job_failed(w, "%s", "out of memory");
        return;
    }
    int64_t prime_start = f->end_frame - (int64_t)frames;
    m->type = SEGUE_T_SUBMIT;
    m->req = new_req(w);
    m->context.sample_rate = (int64_t)f->rate;
    m->context.channels = 2;
    m->context.frames = (int64_t)frames;
    m->context.tempo_bpm = f->bpm;
    m->context.time_sig_num = f->num;
    m->context.time_sig_den = f->den;
    m->context.prime_start_sample = prime_start < 0 ? 0 : prime_start;
    double start_bar = (double)f->end_bar - (double)frames / spb;
    m->context.prime_start_bar = start_bar > 0 ? start_bar : 0;
    m->request.prior = segue_str(preset->prior);
    m->request.preset = segue_str(preset->name);
    m->request.has_length_bars = 1;
    m->request.length_bars = f->generate_bars;
    m->request.candidates = f->takes;
    /* The tier: a prior without the upsamplers it needs refuses it with a BAD_MESSAGE that says
     * which; the status shows it in those words (job_failed). */
    m->request.quality = segue_str(segue_tier_name(f->tier));
    int levels = prior_levels(w, preset->prior);
    m->request.n_temperatures = (uint32_t)(levels < 1 ? 1 : levels > SEGUE_MAX_LEVELS ? SEGUE_MAX_LEVELS : levels);
    for (uint32_t i = 0; i < m->request.n_temperatures; i++) m->request.temperatures[i] = f->temperature;
    m->request.seed = segue_platform_seed();
    add_song_texts(w, m);
    /* audio: float32 little-endian interleaved; x86 and ARM hosts are little-endian already */
    int rc = send_msg(w, m, prime, (size_t)frames * 2u * sizeof(float));
    free(prime);

    job_t *j = &w->job;
    /* A new generation replaces the one still running: the daemon can stop working on that one. */
    if ((j->phase == JOB_SUBMITTED || j->phase == JOB_RUNNING) && j->rec.job[0]) send_cancel(w, j->rec.job);
    memset(j, 0, sizeof *j);
    j->history_index = -1;
    j->extend_take = -1;
    j->req = m->req;
    j->rec.start_frame = f->end_frame;
    j->rec.start_bar = f->end_bar;
    j->rec.rate = (uint32_t)f->rate;
    j->rec.total_frames = (uint64_t)segue_frames_for_bars(f->generate_bars, f->bpm, f->num, f->den, f->rate);
    j->rec.n_takes = (uint32_t)f->takes;
    j->rec.bpm = f->bpm;
    j->rec.num = f->num;
    j->rec.den = f->den;
    free(m);
    if (rc != 0) {
        job_failed(w, "%s", "could not send the prime");
        return;
    }
    j->phase = JOB_SUBMITTED;
    segue_core_set_status(e, "sent %llu frames ending at bar %lld, tier %s%s%s%s%s%s", (unsigned long long)frames,
                            (long long)f->end_bar + 1, segue_tier_name(f->tier), w->texts[SEGUE_TEXT_ARTIST][0] ? ", artist " : "",
                            w->texts[SEGUE_TEXT_ARTIST], w->texts[SEGUE_TEXT_GENRE][0] ? ", genre " : "",
                            w->texts[SEGUE_TEXT_GENRE], w->texts[SEGUE_TEXT_LYRICS][0] ? ", with lyrics" : "");
}

/* The takes now playing become what extend continues: each take from its own job and candidate. */
static void set_sources(client_t *w, const segue_job_record_t *rec, const segue_takeset_t *set) {
    w->base = *rec;
    w->base_set = set;
    w->n_src = set->n_takes;
    for (uint32_t k = 0; k < set->n_takes; k++) {
        snprintf(w->src[k].job, sizeof w->src[k].job, "%s", rec->job);
        w->src[k].candidate = (int)k;
        w->src[k].frames = set->total_frames;
        w->src[k].first_frames = set->total_frames;
        w->src[k].extended = 0;
    }
}

/* Writes the finished takes as stems and records the job in the plugin state. */
static void finish_job(client_t *w) {
    segue_core_t *e = w->e;
    job_t *j = &w->job;
    char dir[1024], track[65];
    segue_core_get_stems_dir(e, dir, sizeof dir);
    segue_core_get_track(e, track, sizeof track);
    int written = 0;
    if (segue_platform_make_dirs(dir) != 0) {
        job_failed(w, "cannot create the stems folder %s", dir);
        return;
    }
    for (uint32_t k = 0; k < j->set->n_takes; k++) {
        segue_take_t *t = &j->set->take[k];
        if (j->result_frames[k] != j->set->total_frames) continue; /* not delivered: no stem */
        char name[256], path[1400];
        if (j->rec.stems[k][0]) {
            snprintf(path, sizeof path, "%s", j->rec.stems[k]); /* a fetch rewrites the recorded file */
        } else {
            if (segue_stem_name(name, sizeof name, track, j->rec.start_bar + 1, j->rec.bpm, k + 1) != 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, name);
            /* An earlier generation from the same bar keeps its file: this one gets "-2", "-3", ... */
            size_t stem = strlen(path) - 4; /* before ".wav" */
            for (int n = 2; segue_platform_file_exists(path) && n < 1000; n++) {
                snprintf(path + stem, sizeof path - stem, "-%d.wav", n);
            }
        }
        if (segue_stem_write(path, atomic_load(&t->final), j->set->total_frames, t->channels, j->set->rate) == 0) {
            snprintf(j->rec.stems[k], sizeof j->rec.stems[k], "%s", path);
            written++;
            segue_stem_place_t place = {j->rec.start_frame, j->set->rate, j->set->total_frames, j->rec.start_bar + 1,
                                        j->rec.bpm, j->rec.num, j->rec.den, k + 1, j->rec.job};
            if (segue_stem_write_sidecar(path, &place) != 0) segue_core_set_status(e, "error: cannot write the sidecar of %s", path);
        }
    }
    segue_platform_mutex_lock(e->lock);
    if (j->history_index >= 0 && j->history_index < e->n_history) {
        e->history[j->history_index] = j->rec;
    } else {
        if (e->n_history == SEGUE_MAX_HISTORY) {
            memmove(e->history, e->history + 1, sizeof e->history[0] * (SEGUE_MAX_HISTORY - 1));
            e->n_history--;
        }
        e->history[e->n_history++] = j->rec;
    }
    segue_platform_mutex_unlock(e->lock);
    atomic_store(&e->progress, 100.0f);
    atomic_store(&e->level, 0);
    atomic_store(&e->eta_s, 0.0f);
    /* A fetch after a reload is not ready yet: the takes are put back together (load_placed) first. */
    if (!(w->place_pending && j->history_index >= 0) || written == 0)
        set_state(w, written > 0 ? SEGUE_STATE_READY : SEGUE_STATE_ERROR);
    segue_core_set_status(e, "job %s: %d stems in %s", j->rec.job, written, dir);
    if (j->set == atomic_load(&e->takes)) set_sources(w, &j->rec, j->set);
    end_job(w);
}

/* Writes a finished extension as its own stem (it starts at its bar, right after the take), records it
 * in the plugin state, and makes the take it continues the one a next extend starts from. */
static void finish_extend(client_t *w) {
    segue_core_t *e = w->e;
    job_t *j = &w->job;
    uint32_t k = (uint32_t)j->extend_take;
    if (j->result_frames[0] != j->rec.total_frames) {
        job_failed(w, "%s", "the extension ended before all its audio came");
        return;
    }
    char dir[1024], track[65], name[256], path[1400];
    segue_core_get_stems_dir(e, dir, sizeof dir);
    segue_core_get_track(e, track, sizeof track);
    if (segue_platform_make_dirs(dir) != 0 ||
        segue_stem_name(name, sizeof name, track, j->rec.start_bar + 1, j->rec.bpm, k + 1) != 0) {
        job_failed(w, "cannot write the extension's stem in %s", dir);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t stem = strlen(path) - 4; /* before ".wav" */
    for (int n = 2; segue_platform_file_exists(path) && n < 1000; n++) snprintf(path + stem, sizeof path - stem, "-%d.wav", n);
    const segue_take_t *t = &j->set->take[k];
    const float *audio = atomic_load(&t->final) + 2u * j->extend_offset;
    if (segue_stem_write(path, audio, j->rec.total_frames, t->channels, j->set->rate) != 0) {
        job_failed(w, "cannot write the extension's stem %s", path);
        return;
    }
    snprintf(j->rec.stems[0], sizeof j->rec.stems[0], "%s", path);
    /* Its sidecar, like every stem's: where the extension starts on the timeline, to the sample. */
    segue_stem_place_t place = {j->rec.start_frame, j->set->rate, j->rec.total_frames, j->rec.start_bar + 1,
                                j->rec.bpm, j->rec.num, j->rec.den, k + 1, j->rec.job};
    if (segue_stem_write_sidecar(path, &place) != 0) segue_core_set_status(e, "error: cannot write the sidecar of %s", path);
    segue_platform_mutex_lock(e->lock);
    if (e->n_history == SEGUE_MAX_HISTORY) {
        memmove(e->history, e->history + 1, sizeof e->history[0] * (SEGUE_MAX_HISTORY - 1));
        e->n_history--;
    }
    e->history[e->n_history++] = j->rec;
    segue_platform_mutex_unlock(e->lock);
    take_source_t *src = &w->src[k];
    snprintf(src->job, sizeof src->job, "%s", j->rec.job);
    src->candidate = 0;
    src->frames = j->extend_offset + j->rec.total_frames;
    src->extended++;
    atomic_store(&e->progress, 100.0f);
    atomic_store(&e->level, 0);
    atomic_store(&e->eta_s, 0.0f);
    set_state(w, SEGUE_STATE_READY);
    segue_core_set_status(e, "job %s: take %u extended from bar %lld, stem %s", j->rec.job, k + 1,
                            (long long)j->rec.start_bar + 1, path);
    end_job(w);
}

static int job_matches(client_t *w, const segue_msg_t *m) {
    job_t *j = &w->job;
    if (j->phase == JOB_NONE) return 0;
    if (m->req == j->req) return 1;
    return j->rec.job[0] && m->job.n == strlen(j->rec.job) && memcmp(m->job.p, j->rec.job, m->job.n) == 0;
}

/* The take set for the job, made at the first audio (a fetch learns its size from the result). */
static segue_takeset_t *job_set(client_t *w, int64_t start, uint64_t total, uint32_t rate) {
    job_t *j = &w->job;
    if (j->set) return j->set;
    if ((uint64_t)j->rec.n_takes * total * 2u * 2u * sizeof(float) > MAX_TAKE_BYTES) return NULL;
    j->set = segue_takeset_new(start, rate, total, j->rec.n_takes);
    if (j->set) {
        segue_core_publish_takes(w->e, j->set);
        w->sets_published++;
        w->base_set = NULL; /* the takes that played are gone: nothing to extend until this job is done */
        w->n_src = 0;
    }
    return j->set;
}

static void on_job_message(client_t *w, const segue_msg_t *m) {
    job_t *j = &w->job;
    segue_core_t *e = w->e;
    switch (m->type) {
    case SEGUE_T_ACCEPTED:
        copy_view(j->rec.job, sizeof j->rec.job, m->job);
        if (j->phase == JOB_SUBMITTED) j->phase = JOB_RUNNING;
        set_state(w, SEGUE_STATE_GENERATING);
        segue_core_set_status(e, "job %s accepted", j->rec.job);
        break;
    case SEGUE_T_PROGRESS:
        if (m->tokens_total > 0) atomic_store(&e->progress, (float)(100.0 * (double)m->tokens_done / (double)m->tokens_total));
        atomic_store(&e->level, (int)m->level + 1); /* the protocol counts levels from 0, the display from 1 */
        atomic_store(&e->eta_s, (float)((double)m->eta_ms / 1000.0));
        set_state(w, SEGUE_STATE_GENERATING);
        break;
    case SEGUE_T_PREVIEW:
    case SEGUE_T_RESULT: {
        int final = m->type == SEGUE_T_RESULT;
        if ((uint32_t)m->sample_rate != j->rec.rate && j->phase != JOB_FETCHING) {
            job_failed(w, "%s", "the daemon answered at another sample rate");
            break;
        }
        if (final && !j->set && j->phase == JOB_FETCHING) {
            j->rec.rate = (uint32_t)m->sample_rate;
            j->rec.total_frames = (uint64_t)m->total_frames;
            j->rec.start_frame = m->start_sample;
        }
        if (final && ((uint64_t)m->total_frames != j->rec.total_frames || m->start_sample != j->rec.start_frame)) {
            job_failed(w, "%s", "the daemon's take does not fit the bars asked for");
            break;
        }
        segue_takeset_t *set = job_set(w, j->rec.start_frame, j->rec.total_frames, j->rec.rate);
        if (!set) {
            job_failed(w, "%s", "no memory for the takes");
            break;
        }
        /* An extension (one candidate) goes into the take it continues, right after that take's end. */
        int extension = j->extend_take >= 0;
        if (extension ? m->candidate != 0 : m->candidate >= (int64_t)set->n_takes) break;
        uint32_t k = extension ? (uint32_t)j->extend_take : (uint32_t)m->candidate;
        uint64_t at = extension ? j->extend_offset : 0;
        if ((uint64_t)(m->offset_frames + m->frames) > j->rec.total_frames) break; /* a preview past the end */
        segue_takeset_write(set, k, final, at + (uint64_t)m->offset_frames, (uint64_t)m->frames, (uint32_t)m->channels,
                            m->audio);
        if (final) {
            j->result_frames[extension ? 0 : k] += (uint64_t)m->frames;
            if (!extension) set->take[k].seed = m->seed;
        }
        break;
    }
    case SEGUE_T_DONE:
        if (!j->set) {
            job_failed(w, "%s", "the job ended without takes");
            break;
        }
        if (j->extend_take >= 0) finish_extend(w);
        else finish_job(w);
        break;
    case SEGUE_T_ERROR: {
        char text[200];
        copy_view(text, sizeof text, m->text);
        char why[260];
        snprintf(why, sizeof why, "%s: %s", segue_code_name(m->code), text);
        job_failed(w, "daemon refused: %s", why);
        break;
    }
    default: break;
    }
}

static void on_message(client_t *w, const segue_msg_t *m) {
    segue_core_t *e = w->e;
    w->last_heard_ms = segue_platform_now_ms();
    w->heartbeats_unanswered = 0;
    switch (m->type) {
    case SEGUE_T_CAPABILITIES:
        w->online = 1;
        w->not_authorised = 0;
        if (w->job.phase == JOB_NONE) set_state(w, atomic_load(&e->takes) ? SEGUE_STATE_READY : SEGUE_STATE_IDLE);
        segue_core_set_status(e, "connected to %s", e->endpoint);
        send_simple(w, SEGUE_T_LIST_PRIORS);
        send_simple(w, SEGUE_T_LIST_PRESETS);
        if (w->job.phase == JOB_RUNNING && w->job.rec.job[0]) { /* reconnected mid-job: re-attach */
            w->job.req = new_req(w);
            send_fetch(w, w->job.rec.job, w->job.req);
        }
        return;
    case SEGUE_T_PRIORS:
        w->n_priors = 0;
        for (uint32_t i = 0; i < m->n_priors && i < MAX_PRIORS; i++) {
            copy_view(w->priors[i].name, sizeof w->priors[i].name, m->priors[i].name);
            w->priors[i].levels = (int)m->priors[i].levels;
            w->priors[i].tiers = tiers_of(&m->priors[i]);
            w->n_priors++;
        }
        return;
    case SEGUE_T_PRESETS:
        w->n_presets = 0;
        for (uint32_t i = 0; i < m->n_presets; i++) {
            copy_view(w->presets[i].name, sizeof w->presets[i].name, m->presets[i].name);
            copy_view(w->presets[i].prior, sizeof w->presets[i].prior, m->presets[i].prior);
            w->n_presets++;
        }
        return;
    case SEGUE_T_HEARTBEAT:
        return;
    default:
        if (m->type == SEGUE_T_ACCEPTED && w->cancelled_req && m->req == w->cancelled_req) {
            char job[65];
            copy_view(job, sizeof job, m->job);
            send_cancel(w, job);
            w->cancelled_req = 0;
            return;
        }
        if (job_matches(w, m)) on_job_message(w, m);
        return;
    }
}

static void receive_all(client_t *w) {
    for (int budget = 0; budget < 256; budget++) {
        zmq_msg_t part[3];
        size_t n = 0;
        int more = 1;
        while (more) {
            zmq_msg_t *p = &part[n < 3 ? n : 2];
            if (n >= 3) zmq_msg_close(p); /* a message of too many frames: keep counting, drop the rest */
            zmq_msg_init(p);
            if (zmq_msg_recv(p, w->sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(p);
                for (size_t i = 0; i < n && i < 3; i++) zmq_msg_close(&part[i]);
                return;
            }
            more = zmq_msg_more(p);
            n++;
        }
        size_t kept = n < 3 ? n : 3;
        segue_frame_t frames[3];
        for (size_t i = 0; i < kept; i++) {
            frames[i].data = zmq_msg_data(&part[i]);
            frames[i].size = zmq_msg_size(&part[i]);
        }
        char err[256];
        if (n <= 2 && segue_decode(frames, n, &w->msg, err, sizeof err) == SEGUE_OK) {
            on_message(w, &w->msg);
        } else {
            w->last_heard_ms = segue_platform_now_ms(); /* a garbled message is still a live daemon; drop it */
        }
        for (size_t i = 0; i < kept; i++) zmq_msg_close(&part[i]);
    }
}

/* ---- project reload ---------------------------------------------------------------------------- */

/* Copies a stem's audio into take k of `set` at `offset` frames, extending what is covered; the take's
 * final buffer is allocated here (stereo, the set's length) at the first stem. 0 when it fit. */
static int place_stem(segue_takeset_t *set, uint32_t k, uint64_t offset, const char *path, uint64_t frames_expected) {
    float *audio;
    uint64_t frames;
    uint32_t channels, rate;
    segue_take_t *t = &set->take[k];
    if (!path[0] || segue_stem_read(path, &audio, &frames, &channels, &rate) != 0) return -1;
    int ok = frames == frames_expected && rate == set->rate && offset + frames <= set->total_frames &&
             atomic_load(&t->final_covered) == offset;
    float *buf = atomic_load(&t->final);
    if (ok && !buf) {
        buf = calloc((size_t)set->total_frames * 2u, sizeof(float));
        if (buf) atomic_store(&t->final, buf);
    }
    if (ok && buf) {
        memcpy(buf + 2u * offset, audio, (size_t)frames * 2u * sizeof(float));
        if (offset == 0) t->channels = channels;
        atomic_store(&t->final_covered, offset + frames); /* the set is not published yet */
    }
    free(audio);
    return ok && buf ? 0 : -1;
}

/* A copy of the job history, taken in one hold of the core's lock (a state restore on the host's thread
 * replaces it; this thread appends to it under the same lock); the caller frees it. With `take_restore` the same hold also clears the pending
 * restore, so a restore requested while this one runs is not lost. NULL when out of memory. */
static segue_job_record_t *copy_history(segue_core_t *e, int *n, int take_restore) {
    segue_job_record_t *recs = calloc(SEGUE_MAX_HISTORY, sizeof *recs);
    if (!recs) return NULL;
    segue_platform_mutex_lock(e->lock);
    *n = e->n_history;
    memcpy(recs, e->history, sizeof *recs * SEGUE_MAX_HISTORY);
    if (take_restore) e->restore_pending = 0;
    segue_platform_mutex_unlock(e->lock);
    return recs;
}

/* Puts the newest generation back on the timeline from its stems, with every extension recorded after
 * it appended to its take in order (each starts where the take, so far, ends), and makes that the state
 * a next extend continues from. Stems that are missing or do not fit leave the rest of that take out. */
static void load_placed(client_t *w) {
    segue_core_t *e = w->e;
    int n;
    segue_job_record_t *recs = copy_history(e, &n, 0);
    if (!recs) return;
    int g = n - 1; /* the newest generation; the newest record when there is none (it is placed alone) */
    while (g > 0 && recs[g].extends_take > 0) g--;
    if (g < 0 || (recs[g].extends_take > 0 && g != n - 1)) g = n - 1;
    if (g < 0) {
        free(recs);
        return;
    }
    const segue_job_record_t *gen = &recs[g];
    int alone = gen->extends_take > 0;
    uint64_t len[SEGUE_MAX_TAKES], total = gen->total_frames;
    const segue_job_record_t *last_ext[SEGUE_MAX_TAKES] = {0};
    int n_ext[SEGUE_MAX_TAKES] = {0};
    for (uint32_t k = 0; k < SEGUE_MAX_TAKES; k++) len[k] = gen->total_frames;
    for (int i = g + 1; !alone && i < n; i++) { /* where each extension goes, and the set's length */
        const segue_job_record_t *x = &recs[i];
        uint32_t k = (uint32_t)(x->extends_take - 1);
        if (x->extends_take < 1 || k >= gen->n_takes || x->rate != gen->rate) continue;
        if (x->start_frame - gen->start_frame != (int64_t)len[k]) continue; /* does not follow the take */
        len[k] += x->total_frames;
        if (len[k] > total) total = len[k];
    }
    segue_takeset_t *set = segue_takeset_new(gen->start_frame, gen->rate, total, gen->n_takes);
    int placed_ext = 0;
    for (uint32_t k = 0; set && k < gen->n_takes; k++) {
        if (place_stem(set, k, 0, gen->stems[k], gen->total_frames) != 0) continue;
        for (int i = g + 1; !alone && i < n; i++) {
            const segue_job_record_t *x = &recs[i];
            if (x->extends_take != (int)k + 1 || x->rate != gen->rate) continue;
            uint64_t at = (uint64_t)(x->start_frame - gen->start_frame);
            if (x->start_frame < gen->start_frame || place_stem(set, k, at, x->stems[0], x->total_frames) != 0) continue;
            last_ext[k] = x;
            n_ext[k]++;
            placed_ext++;
        }
    }
    if (set) {
        segue_core_publish_takes(e, set);
        w->sets_published++;
        set_sources(w, gen, set);
        for (uint32_t k = 0; k < gen->n_takes; k++) { /* a next extend continues the last extension */
            w->src[k].first_frames = gen->total_frames;
            w->src[k].frames = atomic_load(&set->take[k].final_covered);
            w->src[k].extended = n_ext[k];
            if (last_ext[k]) {
                snprintf(w->src[k].job, sizeof w->src[k].job, "%s", last_ext[k]->job);
                w->src[k].candidate = 0;
            }
        }
        set_state(w, SEGUE_STATE_READY);
        segue_core_set_status(e, "job %s: stems loaded from disk, %d extension%s", gen->job, placed_ext, placed_ext == 1 ? "" : "s");
    }
    free(recs);
}

/* After a state restore: queue fetches for every recorded job whose stems are missing; once they are back
 * (or at once when none is missing) the newest generation and its extensions are loaded for playback. */
static void restore(client_t *w) {
    int n;
    segue_job_record_t *recs = copy_history(w->e, &n, 1);
    if (!recs) return; /* out of memory: the restore stays pending and is tried again */
    w->n_fetch = 0;
    for (int i = 0; i < n; i++) {
        int missing = 0;
        for (uint32_t k = 0; k < recs[i].n_takes; k++) {
            if (!recs[i].stems[k][0] || !segue_platform_file_exists(recs[i].stems[k])) missing = 1;
        }
        if (missing) w->fetch_queue[w->n_fetch++] = i;
    }
    free(recs);
    w->place_pending = n > 0;
}

static void next_fetch(client_t *w) {
    if (w->n_fetch == 0 || !w->online || w->job.phase != JOB_NONE) return;
    int index = w->fetch_queue[0];
    memmove(w->fetch_queue, w->fetch_queue + 1, sizeof w->fetch_queue[0] * (size_t)(--w->n_fetch));
    job_t *j = &w->job;
    memset(j, 0, sizeof *j);
    segue_platform_mutex_lock(w->e->lock);
    if (index < w->e->n_history) j->rec = w->e->history[index];
    segue_platform_mutex_unlock(w->e->lock);
    if (!j->rec.job[0]) return;
    j->history_index = index;
    j->extend_take = -1;
    j->phase = JOB_FETCHING;
    j->req = new_req(w);
    set_state(w, SEGUE_STATE_GENERATING);
    segue_core_set_status(w->e, "fetching job %s again", j->rec.job);
    send_fetch(w, j->rec.job, j->req);
}

/* ---- extend ------------------------------------------------------------------------------------- */

static int param_int_of(segue_core_t *e, uint32_t index) {
    return (int)lrintf(atomic_load_explicit(&e->param[index], memory_order_relaxed));
}

/* A copy of the playing set, `total` frames long, with every take's audio up to its length (`src`): the
 * extension is then written past its take's end while the audio thread keeps playing the same audio
 * below it. What an extension that failed or was cancelled left past a take's end is not copied, so the
 * next one starts clean (take buffers only ever fill forward). */
static segue_takeset_t *grown_copy(const segue_takeset_t *old, uint64_t total, const take_source_t *src) {
    segue_takeset_t *set = segue_takeset_new(old->start_frame, old->rate, total, old->n_takes);
    for (uint32_t k = 0; set && k < old->n_takes; k++) {
        const segue_take_t *from = &old->take[k];
        segue_take_t *to = &set->take[k];
        to->channels = from->channels;
        to->seed = from->seed;
        const float *from_buf[2] = {atomic_load(&from->final), atomic_load(&from->preview)};
        uint64_t covered[2] = {atomic_load(&from->final_covered), atomic_load(&from->preview_covered)};
        _Atomic(float *) *slot[2] = {&to->final, &to->preview};
        _Atomic uint64_t *done[2] = {&to->final_covered, &to->preview_covered};
        for (int b = 0; b < 2; b++) {
            if (!from_buf[b]) continue;
            if (covered[b] > src[k].frames) covered[b] = src[k].frames;
            float *buf = calloc((size_t)total * 2u, sizeof(float));
            if (!buf) {
                segue_takeset_free(set);
                return NULL;
            }
            memcpy(buf, from_buf[b], (size_t)covered[b] * 2u * sizeof(float));
            atomic_store(slot[b], buf);
            atomic_store(done[b], covered[b]);
        }
    }
    return set;
}

/* The producer pressed extend: continue the selected take (`take`) of the latest finished job by
 * `generate_bars` at that job's tempo. The daemon's new job starts where the take ends on the timeline;
 * its result is checked against that sample before a frame of it plays. */
static void extend_selected(client_t *w) {
    segue_core_t *e = w->e;
    uint32_t k = (uint32_t)(param_int_of(e, SEGUE_P_TAKE) - 1);
    int bars = param_int_of(e, SEGUE_P_GENERATE_BARS);
    const segue_takeset_t *old = atomic_load(&e->takes); /* the client thread's own: only it swaps or frees sets */
    if (!w->online) {
        segue_core_set_status(e, "offline: extend needs the daemon (%s)", e->endpoint);
        return;
    }
    if (w->job.phase != JOB_NONE) {
        segue_core_set_status(e, "error: extend waits until the running job has finished");
        return;
    }
    if (w->n_src == 0 || !old || old != w->base_set) {
        set_state(w, SEGUE_STATE_ERROR);
        segue_core_set_status(e, "error: nothing to extend yet: generate takes first");
        return;
    }
    if (k >= w->n_src || atomic_load(&old->take[k].final_covered) < w->src[k].frames) {
        set_state(w, SEGUE_STATE_ERROR);
        segue_core_set_status(e, "error: take %u did not arrive complete; choose another take to extend", k + 1);
        return;
    }
    const segue_job_record_t *b = &w->base;
    double spb = segue_samples_per_bar(b->rate, b->bpm, b->num, b->den);
    uint64_t frames = (uint64_t)segue_frames_for_bars(bars, b->bpm, b->num, b->den, b->rate);
    uint64_t at = w->src[k].frames;
    uint64_t total = at + frames > old->total_frames ? at + frames : old->total_frames;
    if ((uint64_t)old->n_takes * total * 2u * 2u * sizeof(float) > MAX_TAKE_BYTES) {
        set_state(w, SEGUE_STATE_ERROR);
        segue_core_set_status(e, "error: the takes would be too long to keep in memory; extend by fewer bars");
        return;
    }
    segue_takeset_t *set = grown_copy(old, total, w->src);
    segue_msg_t *m = calloc(1, sizeof *m);
    if (!set || !m) {
        segue_takeset_free(set);
        free(m);
        set_state(w, SEGUE_STATE_ERROR);
        segue_core_set_status(e, "error: out of memory for the extension");
        return;
    }
    m->type = SEGUE_T_EXTEND;
    m->req = new_req(w);
    m->job = segue_str(w->src[k].job);
    m->candidate = w->src[k].candidate;
    m->has_length_bars = 1;
    m->length_bars = bars;
    int rc = send_msg(w, m, NULL, 0);
    job_t *j = &w->job;
    memset(j, 0, sizeof *j);
    j->history_index = -1;
    j->extend_take = (int)k;
    j->extend_offset = at;
    j->rec.extends_take = (int)k + 1;
    j->req = m->req;
    j->rec.start_frame = b->start_frame + (int64_t)at;
    j->rec.start_bar = b->start_bar + (int64_t)llround((double)at / spb);
    j->rec.rate = b->rate;
    j->rec.total_frames = frames;
    j->rec.n_takes = 1;
    j->rec.bpm = b->bpm;
    j->rec.num = b->num;
    j->rec.den = b->den;
    free(m);
    if (rc != 0) {
        segue_takeset_free(set);
        job_failed(w, "%s", "could not send the extend request");
        return;
    }
    j->set = set;
    segue_core_publish_takes(e, set); /* the same audio as before, with room after take k */
    w->base_set = set;
    w->sets_published++;               /* thumbnails are remade for the longer set */
    j->phase = JOB_SUBMITTED;
    set_state(w, SEGUE_STATE_SENDING);
    atomic_store(&e->progress, 0.0f);
    segue_core_set_status(e, "extending take %u by %d bars from bar %lld", k + 1, bars, (long long)j->rec.start_bar + 1);
}

/* ---- cancel ------------------------------------------------------------------------------------- */

/* The producer pressed cancel: the daemon stops the job (its CANCELLED reply no longer matches anything
 * here); the takes that already arrived keep playing, and a held fire is dropped. */
static void cancel_job(client_t *w) {
    segue_core_t *e = w->e;
    job_t *j = &w->job;
    w->fire_held = 0;
    if (j->phase != JOB_SUBMITTED && j->phase != JOB_RUNNING) {
        segue_core_set_status(e, "nothing to cancel");
        return;
    }
    if (j->rec.job[0]) send_cancel(w, j->rec.job);
    else w->cancelled_req = j->req; /* not accepted yet: cancel it when `accepted` names it */
    segue_core_set_status(e, "cancelled%s%s", j->rec.job[0] ? " job " : "", j->rec.job);
    end_job(w);
    atomic_store(&e->level, 0);
    atomic_store(&e->eta_s, 0.0f);
    set_state(w, atomic_load(&e->takes) ? SEGUE_STATE_READY : SEGUE_STATE_IDLE);
}

/* ---- the view ---------------------------------------------------------------------------------- */

/* A column's peak on the view's scale: SEGUE_VIEW_DB_FLOOR dB .. 0 dBFS onto 1..255, 0 below the floor
 * (silence). Decibels, because a quiet take must still show its shape. */
static uint8_t segue_view_peak(float peak) {
    if (!(peak > 0.0f)) return 0;
    double db = 20.0 * log10(peak > 1.0f ? 1.0 : (double)peak);
    if (db < SEGUE_VIEW_DB_FLOOR) return 0;
    long v = lrint((db - SEGUE_VIEW_DB_FLOOR) / -SEGUE_VIEW_DB_FLOOR * 254.0) + 1;
    return (uint8_t)(v > 255 ? 255 : v);
}

/* Thumbnail columns of take k for frames [from, to) of the set (final audio where it has come, the
 * preview elsewhere); each column covers an equal slice of the set's length. */
static void thumb_columns(client_t *w, const segue_takeset_t *set, uint32_t k, uint64_t from, uint64_t to) {
    const segue_take_t *t = &set->take[k];
    const float *fin = atomic_load(&t->final), *pre = atomic_load(&t->preview);
    uint64_t fc = atomic_load(&t->final_covered), pc = atomic_load(&t->preview_covered);
    uint64_t total = set->total_frames;
    uint64_t c0 = from * SEGUE_VIEW_COLUMNS / total, c1 = to == 0 ? 0 : (to - 1) * SEGUE_VIEW_COLUMNS / total + 1;
    for (uint64_t c = c0; c < c1 && c < SEGUE_VIEW_COLUMNS; c++) {
        uint64_t a = c * total / SEGUE_VIEW_COLUMNS, z = (c + 1) * total / SEGUE_VIEW_COLUMNS;
        float peak = 0.0f;
        for (uint64_t f = a; f < z; f++) {
            const float *src = f < fc ? fin : f < pc ? pre : NULL;
            if (!src) continue;
            float l = fabsf(src[2 * f]), r = fabsf(src[2 * f + 1]);
            if (l > peak) peak = l;
            if (r > peak) peak = r;
        }
        w->view.peak[k][c] = segue_view_peak(peak);
    }
}

/* Builds and publishes the view when it is due: the status, the prior, and the takes' thumbnails,
 * computed only for the audio that arrived since the last time. */
static void update_view(client_t *w) {
    segue_core_t *e = w->e;
    uint64_t now = segue_platform_now_ms();
    if (now < w->next_view_ms) return;
    w->next_view_ms = now + VIEW_MS;
    segue_view_t *v = &w->view;
    v->online = w->online;
    segue_core_status_text(e, v->status, sizeof v->status);
    segue_platform_mutex_lock(e->lock);
    snprintf(v->endpoint, sizeof v->endpoint, "%s", e->endpoint);
    segue_platform_mutex_unlock(e->lock);
    const preset_t *preset = preset_at(w, param_int_of(e, SEGUE_P_PRESET));
    snprintf(v->preset, sizeof v->preset, "%s", preset ? preset->name : "");
    snprintf(v->prior, sizeof v->prior, "%s", preset ? preset->prior : "");
    v->prior_levels = preset ? prior_levels(w, preset->prior) : 0;
    v->prior_tiers = preset ? prior_tiers(w, preset->prior) : 0;
    v->extending = w->job.phase != JOB_NONE && w->job.extend_take >= 0 ? w->job.extend_take + 1 : 0;
    const segue_takeset_t *set = atomic_load(&e->takes);
    if (w->sets_published != w->thumb_set) { /* a new set: start its thumbnails afresh */
        w->thumb_set = w->sets_published;
        memset(v->peak, 0, sizeof v->peak);
        memset(w->thumb_upto, 0, sizeof w->thumb_upto);
        memset(w->thumb_final, 0, sizeof w->thumb_final);
    }
    const segue_job_record_t *rec = w->job.phase != JOB_NONE && w->job.extend_take < 0 ? &w->job.rec : &w->base;
    snprintf(v->job, sizeof v->job, "%s", set ? rec->job : "");
    v->start_bar = set ? (set == w->base_set ? w->base.start_bar : rec->start_bar) : 0;
    v->bpm = rec->bpm;
    v->n_takes = set ? set->n_takes : 0;
    v->total_frames = set ? set->total_frames : 0;
    v->rate = set ? set->rate : 0;
    for (uint32_t k = 0; k < SEGUE_MAX_TAKES; k++) {
        if (!set || k >= set->n_takes) {
            v->take_frames[k] = v->take_covered[k] = 0;
            v->take_final[k] = v->take_extended[k] = 0;
            v->take_first_frames[k] = 0;
            continue;
        }
        const segue_take_t *t = &set->take[k];
        uint64_t fc = atomic_load(&t->final_covered), pc = atomic_load(&t->preview_covered);
        uint64_t covered = fc > pc ? fc : pc;
        uint64_t length = k < w->n_src && set == w->base_set ? w->src[k].frames : set->total_frames;
        if (v->extending == (int)k + 1) length = w->job.extend_offset + w->job.rec.total_frames;
        v->take_frames[k] = (uint32_t)length;
        v->take_covered[k] = (uint32_t)covered;
        v->take_final[k] = fc >= length;
        v->take_extended[k] = (uint8_t)(k < w->n_src && set == w->base_set ? w->src[k].extended : 0);
        v->take_first_frames[k] = (uint32_t)(k < w->n_src && set == w->base_set ? w->src[k].first_frames : length);
        /* columns where final audio replaced the preview since last time, then the newly covered ones */
        if (fc > w->thumb_final[k]) thumb_columns(w, set, k, w->thumb_final[k], fc);
        if (covered > w->thumb_upto[k]) thumb_columns(w, set, k, w->thumb_upto[k], covered);
        w->thumb_final[k] = fc;
        w->thumb_upto[k] = covered;
    }
    v->serial++;
    segue_core_publish_view(e, v);
}

/* ---- the loop ---------------------------------------------------------------------------------- */

/* Silence from the daemon that ends a finishing wait: it sends progress far more often while it works. */
#define FINISH_SILENCE_MS 5000u

/* After destroy asked to stop: keep going while a job (or a held fire) is in flight, the daemon is
 * there and talking, and the deadline is not reached. A dead daemon ends the wait within seconds. */
static int finishing(client_t *w) {
    uint64_t deadline = atomic_load(&w->e->finish_deadline_ms);
    uint64_t now = segue_platform_now_ms();
    if (deadline == 0 || now >= deadline) return 0;
    int fire_waiting = atomic_load(&w->e->fire_seq) != w->seen_fire_seq; /* posted, not yet taken */
    if (w->job.phase == JOB_NONE && !w->fire_held && !fire_waiting) return 0;
    if (!w->sock) return 0;
    return now - w->last_heard_ms < FINISH_SILENCE_MS;
}

/* The host set another daemon key (state key server_key) since the socket was made. */
static int key_changed(client_t *w) {
    segue_platform_mutex_lock(w->e->lock);
    int changed = strcmp(w->key_value, w->e->server_key) != 0;
    segue_platform_mutex_unlock(w->e->lock);
    return changed;
}

void *segue_client_main(void *arg) {
    client_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->e = arg;
    w->zctx = zmq_ctx_new();
    w->seen_fire_seq = atomic_load(&w->e->fire_seq);
    w->seen_extend_seq = atomic_load(&w->e->extend_seq);
    w->seen_cancel_seq = atomic_load(&w->e->cancel_seq);
    if (!w->zctx) {
        free(w);
        return NULL;
    }
    while (!atomic_load(&w->e->stop) || finishing(w)) {
        uint64_t now = segue_platform_now_ms();
        if (!w->sock && now >= w->next_connect_ms) connect_daemon(w);
        if (w->sock && key_changed(w)) {
            w->not_authorised = 0;
            disconnect(w, "the daemon key changed");
            w->next_connect_ms = now;
            continue;
        }
        if (w->sock) {
            zmq_pollitem_t items[2] = {{w->sock, 0, ZMQ_POLLIN, 0}, {w->monitor, 0, ZMQ_POLLIN, 0}};
            if (zmq_poll(items, w->monitor ? 2 : 1, POLL_MS) > 0) {
                if (items[0].revents & ZMQ_POLLIN) receive_all(w);
                if (w->monitor && (items[1].revents & ZMQ_POLLIN)) read_monitor(w);
            }
            now = segue_platform_now_ms();
            if (now - w->last_heartbeat_ms >= HEARTBEAT_MS) {
                w->last_heartbeat_ms = now;
                if (++w->heartbeats_unanswered > MISSED_HEARTBEATS) {
                    disconnect(w, "the daemon does not answer");
                    continue;
                }
                if (w->online) send_simple(w, SEGUE_T_HEARTBEAT);
                else send_simple(w, SEGUE_T_HELLO); /* still waiting for the first answer */
            }
        } else {
            segue_platform_sleep_ms(POLL_MS);
        }
        segue_fire_t fire;
        if (take_fire(w, &fire)) {
            /* A fast offline render can reach its bar before the connection (or the preset list, one round
             * trip after it) is in: hold the fire for a while instead of dropping it. The prime stays in the
             * ring, which keeps the last bars. A newer fire replaces a held one. */
            w->held_fire = fire;
            w->fire_held = 1;
            w->fire_held_since_ms = segue_platform_now_ms();
        }
        if (w->fire_held && w->online && w->n_presets > 0) {
            w->fire_held = 0;
            submit(w, &w->held_fire);
        } else if (w->fire_held && segue_platform_now_ms() - w->fire_held_since_ms > FIRE_HOLD_MS) {
            w->fire_held = 0;
            submit(w, &w->held_fire); /* still offline: says so in the status, as before */
        }
        if (atomic_exchange(&w->e->fire_refused, 0)) {
            set_state(w, SEGUE_STATE_ERROR);
            segue_core_set_status(w->e, "error: generate needs captured audio before a bar line");
        }
        int pending;
        segue_platform_mutex_lock(w->e->lock);
        pending = w->e->restore_pending;
        segue_platform_mutex_unlock(w->e->lock);
        if (pending) restore(w);
        next_fetch(w);
        if (w->place_pending && w->n_fetch == 0 && w->job.phase == JOB_NONE) {
            w->place_pending = 0;
            load_placed(w);
        }
        uint32_t cancel = atomic_load_explicit(&w->e->cancel_seq, memory_order_acquire);
        if (cancel != w->seen_cancel_seq) {
            w->seen_cancel_seq = cancel;
            cancel_job(w);
        }
        uint32_t extend = atomic_load_explicit(&w->e->extend_seq, memory_order_acquire);
        if (extend != w->seen_extend_seq) { /* presses while one is handled count once */
            w->seen_extend_seq = extend;
            extend_selected(w);
        }
        update_view(w);
    }
    if (w->sock && w->monitor) zmq_socket_monitor(w->sock, NULL, 0);
    close_monitor(w);
    if (w->sock) zmq_close(w->sock);
    zmq_ctx_term(w->zctx);
    free(w);
    return NULL;
}
