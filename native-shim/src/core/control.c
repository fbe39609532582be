/*
 * control.c: the plugin's life on the host's main thread and the UI's: create and destroy (which start and
 * join the client thread), activate at a sample rate (the ring the audio thread captures into), the strings the
 * host and the UI set and read under the core's lock (track, stems folder, song text, keys, status), the
 * view the client thread publishes for the UI (a seqlock), and the saved state. Nothing here runs on the audio
 * thread (audio_thread.c); the client thread's half is client.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "core_internal.h"

static void copy_str(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Control threads: one string in or out of the core under its lock (never the audio thread). */
static void copy_locked(segue_core_t *e, char *dst, size_t cap, const char *src) {
    segue_platform_mutex_lock(e->lock);
    copy_str(dst, cap, src);
    segue_platform_mutex_unlock(e->lock);
}

segue_core_t *segue_core_create(const segue_config_t *config) {
    segue_core_t *e = calloc(1, sizeof *e);
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
    for (uint32_t i = 0; i < SEGUE_P_COUNT; i++) atomic_store(&e->param[i], segue_param_info(i)->def);
    atomic_store(&e->client_state, SEGUE_STATE_OFFLINE);
    e->auto_fired_frame = -1;
    segue_transport_reset(&e->transport, 48000.0);
    return e;
}

void segue_core_destroy(segue_core_t *e) {
    if (!e) return;
    /* By default the plugin leaves at once: a job in flight stays on the daemon and is fetched on the
     * next load, so closing a project never waits. An offline render (a headless export) that must end
     * with its stems on disk sets SEGUE_FINISH_WAIT_S to let the client thread finish the job first, bounded. */
    const char *wait = getenv("SEGUE_FINISH_WAIT_S");
    long seconds = wait ? strtol(wait, NULL, 10) : 0;
    if (seconds > 0) {
        if (seconds > 600) seconds = 600;
        atomic_store(&e->finish_deadline_ms, segue_platform_now_ms() + (uint64_t)seconds * 1000u);
    }
    atomic_store(&e->stop, 1);
    segue_platform_thread_join(e->client_thread);
    segue_core_deactivate(e);
    segue_takeset_free(atomic_load(&e->takes));
    segue_platform_mutex_free(e->lock);
    segue_platform_mutex_free(e->ring_lock);
    free(e);
}

int segue_core_activate(segue_core_t *e, double sample_rate) {
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
    if (!e->client_thread) e->client_thread = segue_platform_thread_start(segue_client_main, e);
    return rc == 0 && e->client_thread ? 0 : -1;
}

void segue_core_deactivate(segue_core_t *e) {
    segue_platform_mutex_lock(e->ring_lock);
    segue_ring_free(&e->ring);
    segue_platform_mutex_unlock(e->ring_lock);
    e->segment_valid = 0;
    atomic_store(&e->playing, 0);
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

void segue_core_set_track(segue_core_t *e, const char *track) {
    segue_platform_mutex_lock(e->lock);
    sanitize_track(e->track, sizeof e->track, track);
    segue_platform_mutex_unlock(e->lock);
}

void segue_core_set_stems_dir(segue_core_t *e, const char *dir) {
    if (!dir || !*dir || strchr(dir, '\n')) return;
    copy_locked(e, e->stems_dir, sizeof e->stems_dir, dir);
}

void segue_core_get_track(segue_core_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->track);
}

void segue_core_get_stems_dir(segue_core_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->stems_dir);
}

int segue_core_set_text(segue_core_t *e, segue_text_t which, const char *value) {
    char why[128];
    if (segue_text_check(which, value, why, sizeof why) != 0) {
        segue_core_set_status(e, "error: %s; the previous value stays", why);
        return -1;
    }
    copy_locked(e, e->text[which], sizeof e->text[which], value);
    return 0;
}

void segue_core_get_text(segue_core_t *e, segue_text_t which, char *out, size_t cap) {
    if ((unsigned)which >= SEGUE_TEXT_COUNT) {
        copy_str(out, cap, "");
        return;
    }
    copy_locked(e, out, cap, e->text[which]);
}

void segue_core_set_server_key(segue_core_t *e, const char *value) {
    copy_locked(e, e->server_key, sizeof e->server_key, value);
}

void segue_core_get_server_key(segue_core_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->server_key);
}

void segue_core_client_key(segue_core_t *e, char *public_z85, size_t cap, char *public_file, size_t file_cap) {
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

void segue_core_status_text(segue_core_t *e, char *out, size_t cap) {
    copy_locked(e, out, cap, e->status);
}

/* ---- the view: client thread writes, UI reads, a seqlock (no lock, no waiting on either side) ------------ */

void segue_core_publish_view(segue_core_t *e, const segue_view_t *view) {
    /* client thread: odd while writing; the reader retries when it sees odd or a changed count */
    uint32_t seq = atomic_load_explicit(&e->view_seq, memory_order_relaxed);
    atomic_store_explicit(&e->view_seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    memcpy(&e->view, view, sizeof e->view);
    atomic_store_explicit(&e->view_seq, seq + 2, memory_order_release);
}

int segue_core_view(segue_core_t *e, segue_view_t *out) {
    /* UI thread: a bounded number of tries; the client thread writes about 5 KB, far less than a UI frame */
    for (int tries = 0; tries < 16; tries++) {
        uint32_t s1 = atomic_load_explicit(&e->view_seq, memory_order_acquire);
        if (s1 & 1u) continue;
        memcpy(out, &e->view, sizeof *out);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&e->view_seq, memory_order_relaxed) == s1) return 0;
    }
    return -1;
}

void segue_core_set_status(segue_core_t *e, const char *fmt, ...) {
    segue_platform_mutex_lock(e->lock);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->status, sizeof e->status, fmt, ap);
    va_end(ap);
    char line[sizeof e->status];
    memcpy(line, e->status, sizeof line);
    segue_platform_mutex_unlock(e->lock);
    /* The host's log is where a producer (or a test) looks when something fails. The client thread and control
     * threads only (a refused lyrics/artist/genre is reported from the control thread), never audio. */
    fprintf(stderr, "segue: %s\n", line);
}

/* Any non-audio thread (a UI dragging a take out): take K's stem of job `job`, a generation (not an
 * extension, whose stem is a file of its own at its own bar), as the client thread recorded it once written. The
 * history is read under the core's lock (held by the client thread only to record a job), then the file is
 * looked for outside it. */
int segue_core_take_stem(segue_core_t *e, const char *job, uint32_t take, char *out, size_t cap) {
    if (cap == 0) return -1;
    out[0] = '\0';
    if (!job || !job[0] || take < 1 || take > SEGUE_MAX_TAKES) return -1;
    segue_platform_mutex_lock(e->lock);
    for (int j = e->n_history - 1; j >= 0; j--) {
        const segue_job_record_t *r = &e->history[j];
        if (r->extends_take == 0 && strcmp(r->job, job) == 0 && take <= r->n_takes) {
            copy_str(out, cap, r->stems[take - 1]);
            break;
        }
    }
    segue_platform_mutex_unlock(e->lock);
    if (!out[0] || !segue_platform_file_exists(out)) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/*
 * State text, one record per line (paths may hold spaces, so they come last on their line):
 *   segue-state 1
 *   job <id> <start_frame> <start_bar> <rate> <total_frames> <bpm> <num> <den> <takes>
 *   stem <take 1..16> <path>
 */
size_t segue_core_state_save(segue_core_t *e, char *out, size_t cap) {
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

int segue_core_state_restore(segue_core_t *e, const char *text) {
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
