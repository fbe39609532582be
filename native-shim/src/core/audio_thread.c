/*
 * audio_thread.c: what the plugin does on the audio thread: its parameters and process(). The host's main
 * thread and the UI call control.c; the client thread is client.c.
 *
 * process(), once per block, on the audio thread:
 *   1. announce the take set it reads (hazard), so the client thread never frees it underneath;
 *   2. track the transport (transport.c);
 *   3. capture: while playing, append the input to the ring; a jump starts a new contiguous segment;
 *   4. fire: on the generate trigger's rising edge, or when the transport reaches auto_fire_bar,
 *      post the prime's end (a bar line) to the client thread through a seqlock mailbox;
 *   5. hear in place: mix the selected take under the transport, per the monitor mode.
 * No allocation, no lock, no system call, no logging in any of it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "core_internal.h"

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

void segue_core_set_param(segue_core_t *e, uint32_t index, float value) {
    if (index >= SEGUE_P_COUNT || PARAMS[index].output || !isfinite(value)) return;
    const segue_param_info_t *p = &PARAMS[index];
    if (value < p->min) value = p->min;
    if (value > p->max) value = p->max;
    if (p->integer) value = roundf(value);
    atomic_store_explicit(&e->param[index], value, memory_order_relaxed);
}

float segue_core_get_param(const segue_core_t *e, uint32_t index) {
    segue_core_t *m = (segue_core_t *)e; /* atomics are read-only here */
    if (index == SEGUE_P_STATE) {
        int s = atomic_load_explicit(&m->client_state, memory_order_relaxed);
        if (s == SEGUE_STATE_IDLE && atomic_load_explicit(&m->playing, memory_order_relaxed)) s = SEGUE_STATE_CAPTURING;
        return (float)s;
    }
    if (index == SEGUE_P_PROGRESS) return atomic_load_explicit(&m->progress, memory_order_relaxed);
    if (index == SEGUE_P_LEVEL) return (float)atomic_load_explicit(&m->level, memory_order_relaxed);
    if (index == SEGUE_P_ETA) return atomic_load_explicit(&m->eta_s, memory_order_relaxed);
    return index < SEGUE_P_COUNT ? atomic_load_explicit(&m->param[index], memory_order_relaxed) : 0.0f;
}

static int param_int(segue_core_t *e, uint32_t index) {
    return (int)lrintf(atomic_load_explicit(&e->param[index], memory_order_relaxed));
}

/* Audio thread: hands the client thread a prime that ends at bar `bar` (timeline sample end_frame).
 * Returns -1 when nothing was captured before that bar line in the current segment. */
static int post_fire(segue_core_t *e, int64_t bar, int64_t end_frame) {
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

static segue_takeset_t *enter_takes(segue_core_t *e) {
    /* Dekker-style handshake with the client thread's publish: after this, the set we hold stays alive
     * until we clear audio_using, because the client thread re-reads audio_using after swapping. */
    segue_takeset_t *set = atomic_load(&e->takes);
    for (int i = 0; i < 4; i++) {
        atomic_store(&e->audio_using, set);
        segue_takeset_t *again = atomic_load(&e->takes);
        if (again == set) return set;
        set = again;
    }
    atomic_store(&e->audio_using, NULL);
    return NULL; /* the client thread is swapping right now: play dry for one block */
}

void segue_core_process(segue_core_t *e, const float *const *in, float *const *out, uint32_t frames,
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
    /* extend: the trigger's rising edge; the client thread reads the take and the bars when it sends */
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
