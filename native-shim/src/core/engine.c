/*
 * engine.c: the plugin's behaviour on the audio and control threads. The worker's half is worker.c.
 *
 * process(), once per block, on the audio thread:
 *   1. announce the take set it reads (hazard), so the worker never frees it underneath;
 *   2. track the transport (transport.c);
 *   3. capture: while playing, append the input to the ring; a jump starts a new contiguous segment;
 *   4. fire: on the generate trigger's rising edge, or when the transport reaches auto_fire_bar,
 *      post the prime's end (a bar line) to the worker through a seqlock mailbox;
 *   5. hear in place: mix the selected take under the transport, per the monitor mode.
 * No allocation, no lock, no system call, no logging in any of it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "engine_internal.h"

static const char *const MONITOR_LABELS[] = {"dry", "take", "both", NULL};
static const char *const PRESET_LABELS[] = {"sketch", NULL};
static const char *const TIER_LABELS[] = {"sketch", "draft", "full", NULL};
static const char *const STATE_LABELS[] = {"offline", "idle", "capturing", "sending", "generating", "ready", "error", NULL};

static const segue_param_info_t PARAMS[SEGUE_P_COUNT] = {
    [SEGUE_P_GENERATE] = {"generate", "Generate", "", 0, 1, 0, 1, 0, 1, NULL,
                          "Rising edge: send the last captured bars to the daemon"},
    [SEGUE_P_CAPTURE_BARS] = {"capture_bars", "Bars to capture", "bars", 1, 16, 4, 1, 0, 0, NULL,
                              "Bars of prime before the bar where generation starts (at most 60 s)"},
    [SEGUE_P_GENERATE_BARS] = {"generate_bars", "Bars to generate", "bars", 1, 32, 8, 1, 0, 0, NULL,
                               "Length of each take in bars at the host tempo"},
    [SEGUE_P_TAKES] = {"takes", "Takes", "", 1, 16, 4, 1, 0, 0, NULL, "Takes per generation"},
    [SEGUE_P_TAKE] = {"take", "Take to play", "", 1, 16, 1, 1, 0, 0, NULL, "Which take plays in place"},
    [SEGUE_P_TEMPERATURE] = {"temperature", "Temperature", "", 0.1f, 2.0f, 0.98f, 0, 0, 0, NULL,
                             "Sampling temperature, every prior level"},
    [SEGUE_P_PRESET] = {"preset", "Preset", "", 0, 15, 0, 1, 0, 0, PRESET_LABELS,
                        "Index into the daemon's generation presets; 0 is sketch"},
    [SEGUE_P_MONITOR] = {"monitor", "Monitor", "", 0, 2, 0, 1, 0, 0, MONITOR_LABELS,
                         "dry: input only; take: the take where there is one; both: mixed"},
    [SEGUE_P_AUTO_FIRE_BAR] = {"auto_fire_bar", "Auto-fire at bar", "", 0, 9999, 0, 1, 0, 0, NULL,
                               "0 off; else generate when the transport reaches the start of this bar"},
    [SEGUE_P_FALLBACK_BPM] = {"fallback_bpm", "Tempo without host", "bpm", 20, 400, 120, 0, 0, 0, NULL,
                              "Tempo (4/4) used when the host reports no transport, e.g. offline renderers"},
    [SEGUE_P_STATE] = {"state", "State", "", 0, 6, 0, 1, 1, 0, STATE_LABELS,
                       "0 offline, 1 idle, 2 capturing, 3 sending, 4 generating, 5 ready, 6 error"},
    [SEGUE_P_PROGRESS] = {"progress", "Progress", "%", 0, 100, 0, 0, 1, 0, NULL, "Generation progress"},
    [SEGUE_P_TIER] = {"tier", "Tier", "", 0, 2, 0, 1, 0, 0, TIER_LABELS,
                      "sketch: top level only (fastest); draft: one upsampler more; full: every level"},
    [SEGUE_P_EXTEND] = {"extend", "Extend take", "", 0, 1, 0, 1, 0, 1, NULL,
                        "Rising edge: continue the selected take of the latest job by the bars to generate"},
    [SEGUE_P_CANCEL] = {"cancel", "Cancel", "", 0, 1, 0, 1, 0, 1, NULL,
                        "Rising edge: stop the running generation or extension (the takes already here stay)"},
    [SEGUE_P_LEVEL] = {"level", "Level", "", 0, 8, 0, 1, 1, 0, NULL,
                       "1 + the prior level being sampled (the protocol's progress.level); 0 when not generating"},
    [SEGUE_P_ETA] = {"eta", "Time left", "s", 0, 3600, 0, 0, 1, 0, NULL,
                     "Seconds the daemon expects until the job is done (progress.eta_ms); 0 unknown"},
    [SEGUE_P_BYPASS] = {"bypass", "Bypass", "", 0, 1, 0, 1, 0, 0, NULL,
                        "1: the input passes through untouched, sample for sample; capture and generation go on"},
};

const char *segue_tier_name(int tier) {
    return tier >= 0 && tier <= 2 ? TIER_LABELS[tier] : TIER_LABELS[0];
}

const segue_param_info_t *segue_param_info(uint32_t index) {
    return index < SEGUE_P_COUNT ? &PARAMS[index] : NULL;
}

static void copy_str(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Control threads: one string in or out of the engine under its lock (never the audio thread). */
static void copy_locked(segue_engine_t *e, char *dst, size_t cap, const char *src) {
    segue_platform_mutex_lock(e->lock);
    copy_str(dst, cap, src);
    segue_platform_mutex_unlock(e->lock);
}

segue_engine_t *segue_engine_create(const segue_config_t *config) {
    segue_engine_t *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->lock = segue_platform_mutex_new();
    e->ring_lock = segue_platform_mutex_new();
    if (!e->lock || !e->ring_lock) {
        segue_platform_mutex_free(e->lock);
        segue_platform_mutex_free(e->ring_lock);
        free(e);
        return NULL;
    }
    const char *endpoint = config && config->endpoint ? config->endpoint : getenv("SEGUE_ENDPOINT");
    copy_str(e->endpoint, sizeof e->endpoint, endpoint && *endpoint ? endpoint : "tcp://127.0.0.1:5575");
    if (config && config->stems_dir) copy_str(e->stems_dir, sizeof e->stems_dir, config->stems_dir);
    else if (segue_platform_default_stems_dir(e->stems_dir, sizeof e->stems_dir) != 0) copy_str(e->stems_dir, sizeof e->stems_dir, "stems");
    copy_str(e->track, sizeof e->track, config && config->track ? config->track : "track");
    copy_str(e->status, sizeof e->status, "offline: not started");
    copy_str(e->server_key, sizeof e->server_key, getenv("SEGUE_SERVER_KEY"));
    for (uint32_t i = 0; i < SEGUE_P_COUNT; i++) atomic_store(&e->param[i], PARAMS[i].def);
    atomic_store(&e->worker_state, SEGUE_STATE_OFFLINE);
    e->auto_fired_frame = -1;
    segue_transport_reset(&e->transport, 48000.0);
    return e;
}

void segue_engine_destroy(segue_engine_t *e) {
    if (!e) return;
    /* By default the plugin leaves at once: a job in flight stays on the daemon and is fetched on the
     * next load, so closing a project never waits. An offline render (a headless export) that must end
     * with its stems on disk sets SEGUE_FINISH_WAIT_S to let the worker finish the job first, bounded. */
    const char *wait = getenv("SEGUE_FINISH_WAIT_S");
    long seconds = wait ? strtol(wait, NULL, 10) : 0;
    if (seconds > 0) {
        if (seconds > 600) seconds = 600;
        atomic_store(&e->finish_deadline_ms, segue_platform_now_ms() + (uint64_t)seconds * 1000u);
    }
    atomic_store(&e->stop, 1);
    segue_platform_thread_join(e->worker);
    segue_engine_deactivate(e);
    segue_takeset_free(atomic_load(&e->takes));
    segue_platform_mutex_free(e->lock);
    segue_platform_mutex_free(e->ring_lock);
    free(e);
}

int segue_engine_activate(segue_engine_t *e, double sample_rate) {
    if (!(sample_rate >= 8000.0 && sample_rate <= 192000.0)) return -1;
    segue_platform_mutex_lock(e->ring_lock);
    segue_ring_free(&e->ring);
    int rc = segue_ring_init(&e->ring, (uint64_t)(sample_rate * SEGUE_RING_SECONDS));
    segue_platform_mutex_unlock(e->ring_lock);
    e->rate = sample_rate;
    segue_transport_reset(&e->transport, sample_rate);
    e->segment_valid = 0;
    e->auto_fired_frame = -1;
    e->last_generate = atomic_load(&e->param[SEGUE_P_GENERATE]);
    e->last_extend = atomic_load(&e->param[SEGUE_P_EXTEND]);
    e->last_cancel = atomic_load(&e->param[SEGUE_P_CANCEL]);
    if (!e->worker) e->worker = segue_platform_thread_start(segue_worker_main, e);
    return rc == 0 && e->worker ? 0 : -1;
}

void segue_engine_deactivate(segue_engine_t *e) {
    segue_platform_mutex_lock(e->ring_lock);
    segue_ring_free(&e->ring);
    segue_platform_mutex_unlock(e->ring_lock);
    e->segment_valid = 0;
    atomic_store(&e->playing, 0);
}

void segue_engine_set_param(segue_engine_t *e, uint32_t index, float value) {
    if (index >= SEGUE_P_COUNT || PARAMS[index].output || !isfinite(value)) return;
    const segue_param_info_t *p = &PARAMS[index];
    if (value < p->min) value = p->min;
    if (value > p->max) value = p->max;
    if (p->integer) value = roundf(value);
    atomic_store_explicit(&e->param[index], value, memory_order_relaxed);
}

float segue_engine_get_param(const segue_engine_t *e, uint32_t index) {
    segue_engine_t *m = (segue_engine_t *)e; /* atomics are read-only here */
    if (index == SEGUE_P_STATE) {
        int s = atomic_load_explicit(&m->worker_state, memory_order_relaxed);
        if (s == SEGUE_STATE_IDLE && atomic_load_explicit(&m->playing, memory_order_relaxed)) s = SEGUE_STATE_CAPTURING;
        return (float)s;
    }
    if (index == SEGUE_P_PROGRESS) return atomic_load_explicit(&m->progress, memory_order_relaxed);
    if (index == SEGUE_P_LEVEL) return (float)atomic_load_explicit(&m->level, memory_order_relaxed);
    if (index == SEGUE_P_ETA) return atomic_load_explicit(&m->eta_s, memory_order_relaxed);
    return index < SEGUE_P_COUNT ? atomic_load_explicit(&m->param[index], memory_order_relaxed) : 0.0f;
}

static int param_int(segue_engine_t *e, uint32_t index) {
    return (int)lrintf(atomic_load_explicit(&e->param[index], memory_order_relaxed));
}

/* Audio thread: hands the worker a prime that ends at bar `bar` (timeline sample end_frame).
 * Returns -1 when nothing was captured before that bar line in the current segment. */
static int post_fire(segue_engine_t *e, int64_t bar, int64_t end_frame) {
    const segue_transport_t *t = &e->transport;
    if (!e->segment_valid || end_frame <= e->segment_start_frame || end_frame > e->segment_end_frame) return -1;
    uint32_t seq = atomic_load_explicit(&e->fire_seq, memory_order_relaxed);
    atomic_store_explicit(&e->fire_seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    e->fire.end_frame = end_frame;
    e->fire.end_bar = bar;
    e->fire.end_count = e->segment_start_count + (uint64_t)(end_frame - e->segment_start_frame);
    e->fire.first_count = e->segment_start_count;
    e->fire.bpm = t->tempo_bpm;
    e->fire.num = t->ts_num;
    e->fire.den = t->ts_den;
    e->fire.rate = e->rate;
    e->fire.capture_bars = param_int(e, SEGUE_P_CAPTURE_BARS);
    e->fire.generate_bars = param_int(e, SEGUE_P_GENERATE_BARS);
    e->fire.takes = param_int(e, SEGUE_P_TAKES);
    e->fire.preset = param_int(e, SEGUE_P_PRESET);
    e->fire.tier = param_int(e, SEGUE_P_TIER);
    e->fire.temperature = atomic_load_explicit(&e->param[SEGUE_P_TEMPERATURE], memory_order_relaxed);
    atomic_store_explicit(&e->fire_seq, seq + 2, memory_order_release);
    return 0;
}

static segue_takeset_t *enter_takes(segue_engine_t *e) {
    /* Dekker-style handshake with the worker's publish: after this, the set we hold stays alive
     * until we clear audio_using, because the worker re-reads audio_using after swapping. */
    segue_takeset_t *set = atomic_load(&e->takes);
    for (int i = 0; i < 4; i++) {
        atomic_store(&e->audio_using, set);
        segue_takeset_t *again = atomic_load(&e->takes);
        if (again == set) return set;
        set = again;
    }
    atomic_store(&e->audio_using, NULL);
    return NULL; /* the worker is swapping right now: play dry for one block */
}

void segue_engine_process(segue_engine_t *e, const float *const *in, float *const *out, uint32_t frames,
                          const segue_host_time_t *host) {
    segue_transport_t *t = &e->transport;
    t->fallback_bpm = atomic_load_explicit(&e->param[SEGUE_P_FALLBACK_BPM], memory_order_relaxed);
    segue_transport_update(t, host, frames);
    atomic_store_explicit(&e->playing, t->playing, memory_order_relaxed);

    /* capture */
    if (t->playing && e->ring.samples) {
        if (!e->segment_valid || t->jumped) {
            e->segment_valid = 1;
            e->segment_start_frame = t->frame;
            e->segment_start_count = atomic_load_explicit(&e->ring.written, memory_order_relaxed);
        }
        segue_ring_write(&e->ring, in[0], in[1], frames);
        e->segment_end_frame = t->frame + frames;
    }

    /* fire: auto-fire at the start of a bar */
    if (t->jumped) e->auto_fired_frame = -1;
    int auto_bar = param_int(e, SEGUE_P_AUTO_FIRE_BAR);
    if (auto_bar > 0 && t->playing) {
        int64_t at = segue_transport_bar_start(t, auto_bar - 1);
        if (at >= t->frame && at < t->frame + (int64_t)frames && at != e->auto_fired_frame) {
            e->auto_fired_frame = at;
            post_fire(e, auto_bar - 1, at); /* starting playback exactly at that bar: nothing to send */
        }
    }
    /* fire: the trigger's rising edge; the prime ends at the last bar line captured */
    float generate = atomic_load_explicit(&e->param[SEGUE_P_GENERATE], memory_order_relaxed);
    if (generate > 0.5f && e->last_generate <= 0.5f) {
        if (e->segment_valid) {
            int64_t bar = (int64_t)floor(segue_transport_bar_at(t, e->segment_end_frame) + 1e-9);
            int64_t at = segue_transport_bar_start(t, bar);
            if (at > e->segment_end_frame) at = segue_transport_bar_start(t, --bar);
            if (post_fire(e, bar, at) != 0) atomic_store_explicit(&e->fire_refused, 1, memory_order_release);
        } else {
            atomic_store_explicit(&e->fire_refused, 1, memory_order_release);
        }
    }
    e->last_generate = generate;
    /* extend: the trigger's rising edge; the worker reads the take and the bars when it sends */
    float extend = atomic_load_explicit(&e->param[SEGUE_P_EXTEND], memory_order_relaxed);
    if (extend > 0.5f && e->last_extend <= 0.5f) atomic_fetch_add_explicit(&e->extend_seq, 1u, memory_order_release);
    e->last_extend = extend;
    float cancel = atomic_load_explicit(&e->param[SEGUE_P_CANCEL], memory_order_relaxed);
    if (cancel > 0.5f && e->last_cancel <= 0.5f) atomic_fetch_add_explicit(&e->cancel_seq, 1u, memory_order_release);
    e->last_cancel = cancel;

    /* hear in place; bypassed, the input goes out as it came in (capture and fire above still ran, so a
     * producer can bypass to hear the dry track while the next prime is recorded) */
    int monitor = param_int(e, SEGUE_P_BYPASS) ? 0 : param_int(e, SEGUE_P_MONITOR);
    segue_takeset_t *set = monitor != 0 && t->playing ? enter_takes(e) : NULL;
    uint32_t k = (uint32_t)(param_int(e, SEGUE_P_TAKE) - 1);
    if (set && (k >= set->n_takes || (double)set->rate != e->rate)) set = NULL;
    for (uint32_t i = 0; i < frames; i++) {
        float l = in[0][i], r = in[1][i], tl = 0.0f, tr = 0.0f;
        int64_t pos = t->frame + (int64_t)i - (set ? set->start_frame : 0);
        int have = set && pos >= 0 && segue_takeset_frame(set, k, (uint64_t)pos, &tl, &tr);
        if (monitor == 1 && have) {
            l = tl;
            r = tr;
        } else if (monitor == 2 && have) {
            l += tl;
            r += tr;
        }
        out[0][i] = l;
        out[1][i] = r;
    }
    if (set) atomic_store(&e->audio_using, NULL);
}

/* ---- control-thread state ---------------------------------------------------------------------- */

static void sanitize_track(char *dst, size_t cap, const char *src) {
    size_t n = 0;
    for (; src && *src && n + 1 < cap; src++) {
        char c = *src;
        dst[n++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') ? c : '_';
    }
    dst[n] = '\0';
    if (n == 0) snprintf(dst, cap, "track");
}

void segue_engine_set_track(segue_engine_t *e, const char *track) {
    segue_platform_mutex_lock(e->lock);
    sanitize_track(e->track, sizeof e->track, track);
    segue_platform_mutex_unlock(e->lock);
}

void segue_engine_set_stems_dir(segue_engine_t *e, const char *dir) {
    if (!dir || !*dir || strchr(dir, '\n')) return;
    copy_locked(e, e->stems_dir, sizeof e->stems_dir, dir);
}

void segue_engine_get_track(segue_engine_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->track);
}

void segue_engine_get_stems_dir(segue_engine_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->stems_dir);
}

int segue_engine_set_text(segue_engine_t *e, segue_text_t which, const char *value) {
    char why[128];
    if (segue_text_check(which, value, why, sizeof why) != 0) {
        segue_engine_set_status(e, "error: %s; the previous value stays", why);
        return -1;
    }
    copy_locked(e, e->text[which], sizeof e->text[which], value);
    return 0;
}

void segue_engine_get_text(segue_engine_t *e, segue_text_t which, char *out, size_t cap) {
    if ((unsigned)which >= SEGUE_TEXT_COUNT) {
        copy_str(out, cap, "");
        return;
    }
    copy_locked(e, out, cap, e->text[which]);
}

void segue_engine_set_server_key(segue_engine_t *e, const char *value) {
    copy_locked(e, e->server_key, sizeof e->server_key, value);
}

void segue_engine_get_server_key(segue_engine_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->server_key);
}

void segue_engine_client_key(segue_engine_t *e, char *public_z85, size_t cap, char *public_file, size_t file_cap) {
    segue_platform_mutex_lock(e->lock);
    int known = e->client_public[0] != '\0';
    segue_platform_mutex_unlock(e->lock);
    if (!known) { /* a UI asks before any CurveZMQ connection: read or make the pair now (files, not audio) */
        char pub[SEGUE_Z85_KEY_CHARS + 1], sec[SEGUE_Z85_KEY_CHARS + 1], path[1024], why[1200];
        if (segue_curve_client_keys(pub, sec, path, sizeof path, why, sizeof why) == 0) {
            segue_platform_mutex_lock(e->lock);
            copy_str(e->client_public, sizeof e->client_public, pub);
            copy_str(e->client_public_path, sizeof e->client_public_path, path);
            segue_platform_mutex_unlock(e->lock);
        }
    }
    segue_platform_mutex_lock(e->lock);
    if (public_z85) copy_str(public_z85, cap, e->client_public);
    if (public_file) copy_str(public_file, file_cap, e->client_public_path);
    segue_platform_mutex_unlock(e->lock);
}

void segue_engine_status_text(segue_engine_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->status);
}

/* ---- the view: worker writes, UI reads, a seqlock (no lock, no waiting on either side) ------------ */

void segue_engine_publish_view(segue_engine_t *e, const segue_view_t *view) {
    /* worker thread: odd while writing; the reader retries when it sees odd or a changed count */
    uint32_t seq = atomic_load_explicit(&e->view_seq, memory_order_relaxed);
    atomic_store_explicit(&e->view_seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    memcpy(&e->view, view, sizeof e->view);
    atomic_store_explicit(&e->view_seq, seq + 2, memory_order_release);
}

int segue_engine_view(segue_engine_t *e, segue_view_t *out) {
    /* UI thread: a bounded number of tries; the worker writes about 5 KB, far less than a UI frame */
    for (int tries = 0; tries < 16; tries++) {
        uint32_t s1 = atomic_load_explicit(&e->view_seq, memory_order_acquire);
        if (s1 & 1u) continue;
        memcpy(out, &e->view, sizeof *out);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&e->view_seq, memory_order_relaxed) == s1) return 0;
    }
    return -1;
}

void segue_engine_set_status(segue_engine_t *e, const char *fmt, ...) {
    segue_platform_mutex_lock(e->lock);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->status, sizeof e->status, fmt, ap);
    va_end(ap);
    char line[sizeof e->status];
    memcpy(line, e->status, sizeof line);
    segue_platform_mutex_unlock(e->lock);
    /* The host's log is where a producer (or a test) looks when something fails. Worker and control
     * threads only (a refused lyrics/artist/genre is reported from the control thread), never audio. */
    fprintf(stderr, "segue: %s\n", line);
}

/*
 * State text, one record per line (paths may hold spaces, so they come last on their line):
 *   segue-state 1
 *   job <id> <start_frame> <start_bar> <rate> <total_frames> <bpm> <num> <den> <takes>
 *   stem <take 1..16> <path>
 */
size_t segue_engine_state_save(segue_engine_t *e, char *out, size_t cap) {
    size_t n = 0;
#define PUT(...) do { int w_ = snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__); if (w_ > 0) n += (size_t)w_; } while (0)
    segue_platform_mutex_lock(e->lock);
    PUT("segue-state 1\n");
    for (int j = 0; j < e->n_history; j++) {
        const segue_job_record_t *r = &e->history[j];
        PUT("job %s %lld %lld %u %llu %.17g %d %d %u\n", r->job, (long long)r->start_frame, (long long)r->start_bar,
            r->rate, (unsigned long long)r->total_frames, r->bpm, r->num, r->den, r->n_takes);
        if (r->extends_take > 0) PUT("extends %d\n", r->extends_take);
        for (uint32_t k = 0; k < r->n_takes; k++) {
            if (r->stems[k][0]) PUT("stem %u %s\n", k + 1, r->stems[k]);
        }
    }
    segue_platform_mutex_unlock(e->lock);
#undef PUT
    return n;
}

int segue_engine_state_restore(segue_engine_t *e, const char *text) {
    segue_job_record_t jobs[SEGUE_MAX_HISTORY];
    int n = 0, ok = 0;
    memset(jobs, 0, sizeof jobs);
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[1200];
        if (len < sizeof buf) {
            memcpy(buf, line, len);
            buf[len] = '\0';
            segue_job_record_t r;
            long long start, bar;
            unsigned long long total;
            unsigned k;
            int used = 0;
            memset(&r, 0, sizeof r);
            if (strcmp(buf, "segue-state 1") == 0) {
                ok = 1;
            } else if (sscanf(buf, "job %64[A-Za-z0-9_-] %lld %lld %u %llu %lf %d %d %u", r.job, &start, &bar, &r.rate,
                              &total, &r.bpm, &r.num, &r.den, &r.n_takes) == 9 &&
                       r.n_takes >= 1 && r.n_takes <= SEGUE_MAX_TAKES && r.rate >= 8000 && r.rate <= 192000) {
                r.start_frame = start;
                r.start_bar = bar;
                r.total_frames = total;
                if (n == SEGUE_MAX_HISTORY) { /* keep the newest */
                    memmove(jobs, jobs + 1, sizeof jobs[0] * (SEGUE_MAX_HISTORY - 1));
                    n--;
                }
                jobs[n++] = r;
            } else if (n > 0 && sscanf(buf, "extends %u", &k) == 1 && k >= 1 && k <= SEGUE_MAX_TAKES) {
                jobs[n - 1].extends_take = (int)k;
            } else if (n > 0 && sscanf(buf, "stem %u %n", &k, &used) == 1 && used > 0 && k >= 1 && k <= jobs[n - 1].n_takes) {
                copy_str(jobs[n - 1].stems[k - 1], sizeof jobs[n - 1].stems[k - 1], buf + used);
            }
        }
        line = end ? end + 1 : NULL;
    }
    if (!ok) return -1;
    segue_platform_mutex_lock(e->lock);
    memcpy(e->history, jobs, sizeof jobs);
    e->n_history = n;
    e->restore_pending = n > 0;
    segue_platform_mutex_unlock(e->lock);
    return 0;
}
