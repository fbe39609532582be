/*
 * clap_host: a minimal CLAP host that loads the Segue plugin the way a DAW does, for two jobs.
 *
 *   clap_host --rt PLUGIN.clap        RT-safety proof (rt_scenario.h, shared with the LV2 and VST3
 *                                     hosts). Run under LD_PRELOAD=rt_interpose.so with
 *                                     SEGUE_ENDPOINT pointing at a running daemon. Plays a moving
 *                                     transport (400 bpm 4/4, 48 kHz, 512-frame blocks) in real time;
 *                                     the plugin auto-fires at bar 3, its client thread talks to the daemon;
 *                                     bar 3 loops while previews stream in (they must be heard); when
 *                                     the take is ready the transport plays bar 3 again. Every
 *                                     process() call is marked for the interposer; the test fails
 *                                     unless it counted zero calls, the plugin reached "ready", and
 *                                     the take replaced the input on exactly bar 3's samples.
 *   clap_host --bench PLUGIN.clap [STATE]  process() cost per 512-frame block (median, p99), transport
 *                                     playing and capturing, as a ratio of the block's budget; with
 *                                     a state from --save, the restored take also plays in place.
 *   clap_host --watch PLUGIN.clap S   S seconds of real-time play, monitor dry; prints the state
 *                                     output, input/output mismatches and the slowest block every
 *                                     250 ms (a test kills and restarts the daemon meanwhile).
 *   clap_host --save PLUGIN.clap FILE the --rt scenario without the interposer, then the plugin's
 *                                     CLAP state is written to FILE (a saved project).
 *   clap_host --load PLUGIN.clap FILE a new instance loads FILE (a reopened project) and plays bar 3
 *                                     in a loop until the restored take is heard (from its stems,
 *                                     or fetched from the daemon again when they are gone).
 *   clap_host --extend-save PLUGIN.clap FILE
 *                                     the --save scenario (an 8-bar take at bar 3), then take 1 is
 *                                     extended by 2 bars (extend pressed, played on until the
 *                                     extension is ready), then the CLAP state is written to FILE.
 *   clap_host --play PLUGIN.clap FILE BARS OUT
 *                                     a new instance loads FILE, waits (bar 3 looping) until it is
 *                                     "ready", then plays BARS bars from bar 3 with monitor "take" and
 *                                     writes what came out (float32, stereo interleaved, from
 *                                     timeline sample 57600) to OUT: what a reopened project plays.
 *   clap_host --texts PLUGIN.clap IN1 IN2 OUT
 *                                     song texts through the CLAP state: loads IN1 (a state with lyrics,
 *                                     artist, genre), saves what the plugin kept to OUT, auto-fires at
 *                                     bar 3 and waits for the outcome (ready or error); then loads IN2
 *                                     into the running instance (the producer edits the texts), fires
 *                                     again and waits again. Prints "texts: first state N" and "texts:
 *                                     second state N"; the test reads the plugin's log for the rest.
 *   clap_host --keep PLUGIN.clap IN1 IN2 OUT
 *                                     loads IN1, then IN2 on top (as a host restoring a preset), and
 *                                     saves the plugin's state to OUT: what a refused value left.
 *
 * CLAP threads: init/activate/params on this (main) thread; process on a second thread, the audio
 * thread, as hosts do.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clap/entry.h"
#include "clap/events.h"
#include "clap/ext/params.h"
#include "clap/ext/state.h"
#include "clap/stream.h"
#include "clap/plugin-factory.h"
#include "clap/process.h"
#include "rt_scenario.h"

#define RATE RT_RATE
#define BLOCK RT_BLOCK
#define PARAMS_MAX 16

/* Parameter ids: DPF uses the parameter index (CONTRACT.md order). */
enum { P_GENERATE, P_CAPTURE, P_GENBARS, P_TAKES, P_TAKE, P_TEMP, P_PRESET, P_MONITOR, P_AUTO, P_FALLBACK, P_STATE, P_PROGRESS,
       P_TIER, P_EXTEND };

/* ---- host callbacks (any thread; nothing to do for this host) ---------------------------------- */
static const void *host_get_extension(const clap_host_t *h, const char *id) { (void)h; (void)id; return NULL; }
static void host_request(const clap_host_t *h) { (void)h; }
static const clap_host_t HOST = {CLAP_VERSION_INIT, NULL, "segue-test-host", "Segue", "", "0.1",
                                 host_get_extension, host_request, host_request, host_request};

/* ---- events ------------------------------------------------------------------------------------ */
typedef struct {
    clap_event_param_value_t ev[PARAMS_MAX];
    uint32_t n;
} param_queue_t;

static uint32_t in_size(const clap_input_events_t *l) { return ((const param_queue_t *)l->ctx)->n; }
static const clap_event_header_t *in_get(const clap_input_events_t *l, uint32_t i) {
    return &((const param_queue_t *)l->ctx)->ev[i].header;
}
static bool out_push(const clap_output_events_t *l, const clap_event_header_t *e) { (void)l; (void)e; return true; }

static void queue_param(param_queue_t *q, clap_id id, double value) {
    clap_event_param_value_t *e = &q->ev[q->n++];
    memset(e, 0, sizeof *e);
    e->header.size = sizeof *e;
    e->header.space_id = CLAP_CORE_EVENT_SPACE_ID;
    e->header.type = CLAP_EVENT_PARAM_VALUE;
    e->param_id = id;
    e->note_id = e->port_index = e->channel = e->key = -1;
    e->value = value;
}

/* ---- the plugin under test --------------------------------------------------------------------- */
typedef struct {
    void *lib;
    const clap_plugin_entry_t *entry;
    const clap_plugin_t *plugin;
    const clap_plugin_params_t *params;
    float in_l[BLOCK], in_r[BLOCK], out_l[BLOCK], out_r[BLOCK];
    float *ins[2], *outs[2];
    clap_audio_buffer_t in_buf, out_buf;
    clap_event_transport_t transport;
    param_queue_t queue;
    clap_input_events_t in_events;
    clap_output_events_t out_events;
    clap_process_t proc;
    double beats;      /* song position in quarter notes */
    int64_t steady;
    double bpm;
    int ran; /* a block was processed since the queue was filled */
} host_t;

static int load_state(host_t *h, const char *file);

static int load(host_t *h, const char *path, const char *state_file) {
    memset(h, 0, sizeof *h);
    h->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h->lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return -1; }
    h->entry = dlsym(h->lib, "clap_entry");
    if (!h->entry || !h->entry->init(path)) { fprintf(stderr, "no clap_entry\n"); return -1; }
    const clap_plugin_factory_t *f = h->entry->get_factory(CLAP_PLUGIN_FACTORY_ID);
    if (!f || f->get_plugin_count(f) != 1) { fprintf(stderr, "no factory\n"); return -1; }
    const clap_plugin_descriptor_t *d = f->get_plugin_descriptor(f, 0);
    printf("plugin: %s (%s)\n", d->name, d->id);
    h->plugin = f->create_plugin(f, &HOST, d->id);
    if (!h->plugin || !h->plugin->init(h->plugin)) { fprintf(stderr, "create failed\n"); return -1; }
    h->params = h->plugin->get_extension(h->plugin, CLAP_EXT_PARAMS);
    if (state_file && load_state(h, state_file) != 0) { fprintf(stderr, "state load failed\n"); return -1; }
    if (!h->plugin->activate(h->plugin, RATE, BLOCK, BLOCK)) { fprintf(stderr, "activate failed\n"); return -1; }
    h->ins[0] = h->in_l; h->ins[1] = h->in_r; h->outs[0] = h->out_l; h->outs[1] = h->out_r;
    h->in_buf.data32 = h->ins; h->in_buf.channel_count = 2;
    h->out_buf.data32 = h->outs; h->out_buf.channel_count = 2;
    h->in_events.ctx = &h->queue; h->in_events.size = in_size; h->in_events.get = in_get;
    h->out_events.try_push = out_push;
    h->proc.frames_count = BLOCK;
    h->proc.transport = &h->transport;
    h->proc.audio_inputs = &h->in_buf; h->proc.audio_inputs_count = 1;
    h->proc.audio_outputs = &h->out_buf; h->proc.audio_outputs_count = 1;
    h->proc.in_events = &h->in_events; h->proc.out_events = &h->out_events;
    h->bpm = RT_BPM;
    return 0;
}

/* The host's own buffers again (the scenario lends the plugin its own while it plays). */
static void own_buffers(host_t *h) {
    h->ins[0] = h->in_l; h->ins[1] = h->in_r; h->outs[0] = h->out_l; h->outs[1] = h->out_r;
}

static void unload(host_t *h) {
    h->plugin->deactivate(h->plugin);
    h->plugin->destroy(h->plugin);
    h->entry->deinit();
    dlclose(h->lib);
}

static double param(host_t *h, clap_id id) {
    double v = -1;
    if (h->params) h->params->get_value(h->plugin, id, &v);
    return v;
}

/* The transport event for a block playing from `beats` quarter notes at h->bpm, 4/4. */
static void set_transport(host_t *h, double beats) {
    clap_event_transport_t *t = &h->transport;
    memset(t, 0, sizeof *t);
    t->header.size = sizeof *t;
    t->header.space_id = CLAP_CORE_EVENT_SPACE_ID;
    t->header.type = CLAP_EVENT_TRANSPORT;
    t->flags = CLAP_TRANSPORT_HAS_TEMPO | CLAP_TRANSPORT_HAS_BEATS_TIMELINE | CLAP_TRANSPORT_HAS_SECONDS_TIMELINE |
               CLAP_TRANSPORT_HAS_TIME_SIGNATURE | CLAP_TRANSPORT_IS_PLAYING;
    t->song_pos_beats = (clap_beattime)llround(beats * CLAP_BEATTIME_FACTOR);
    t->song_pos_seconds = (clap_sectime)llround(beats * 60.0 / h->bpm * CLAP_SECTIME_FACTOR);
    t->tempo = h->bpm;
    t->bar_start = (clap_beattime)llround(floor(beats / 4.0) * 4.0 * CLAP_BEATTIME_FACTOR);
    t->bar_number = (int32_t)floor(beats / 4.0);
    t->tsig_num = 4;
    t->tsig_denom = 4;
}

/* One block with the transport playing from h->beats. Runs on the calling (audio) thread. */
static int process_block(host_t *h) {
    set_transport(h, h->beats);
    h->proc.steady_time = h->steady;
    for (int i = 0; i < BLOCK; i++) {
        double s = (double)(h->steady + i);
        h->in_l[i] = (float)(0.25 * sin(s * 0.031));
        h->in_r[i] = (float)(0.25 * sin(s * 0.017));
    }
    clap_process_status st = h->plugin->process(h->plugin, &h->proc);
    h->queue.n = 0;
    h->steady += BLOCK;
    h->beats += BLOCK * h->bpm / 60.0 / RATE;
    return st == CLAP_PROCESS_ERROR ? -1 : 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- --rt (and --save): the scenario of rt_scenario.h through CLAP's process() ------------------ */
static void rt_prepare(rt_format_t *f, double beats, int64_t sample) {
    host_t *h = f->ctx;
    (void)sample;
    if (h->ran) h->queue.n = 0; /* the parameters queued before the start went with the first block */
    set_transport(h, beats);
    h->proc.steady_time = h->steady;
    h->steady += BLOCK;
}
static int rt_run(rt_format_t *f) {
    host_t *h = f->ctx;
    h->ran = 1;
    return h->plugin->process(h->plugin, &h->proc) == CLAP_PROCESS_ERROR ? -1 : 0;
}
static double rt_state(rt_format_t *f) { return param(f->ctx, P_STATE); }
static int rt_start(rt_format_t *f) {
    host_t *h = f->ctx;
    if (!h->plugin->start_processing(h->plugin)) return 1;
    queue_param(&h->queue, P_AUTO, 3);
    /* Eight bars, not one: the daemon makes a one-bar take (75 codes) in a few milliseconds, so its previews
     * could be superseded by the take before a 10.7 ms block ever saw them. */
    queue_param(&h->queue, P_GENBARS, 8);
    queue_param(&h->queue, P_TAKES, 1);
    queue_param(&h->queue, P_CAPTURE, 2);
    queue_param(&h->queue, P_MONITOR, 1); /* take */
    h->ran = 0;
    return 0;
}
static void rt_stop(rt_format_t *f) { ((host_t *)f->ctx)->plugin->stop_processing(((host_t *)f->ctx)->plugin); }

/* The scenario's format: this host's buffers are the scenario's. */
static void rt_format_init(rt_format_t *f, host_t *h) {
    memset(f, 0, sizeof *f);
    f->name = "CLAP";
    f->ctx = h;
    f->prepare = rt_prepare;
    f->run = rt_run;
    f->state = rt_state;
    f->start = rt_start;
    f->stop = rt_stop;
    h->ins[0] = f->in[0]; h->ins[1] = f->in[1]; h->outs[0] = f->out[0]; h->outs[1] = f->out[1];
}

static int run_rt(const char *path) {
    host_t h;
    if (load(&h, path, NULL) != 0) return 2;
    static rt_format_t f;
    rt_format_init(&f, &h);
    int rc = rt_scenario_main(&f);
    unload(&h);
    return rc;
}

/* ---- --bench -------------------------------------------------------------------------------------- */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Without a state file: capture, transport and mixing with no take yet. With one (from --save): the
 * restored take plays in place too (bar 3 looped, monitor both), the full per-block work. */
static int run_bench(const char *path, const char *state_file) {
    setenv("SEGUE_ENDPOINT", "tcp://127.0.0.1:1", 0); /* the take comes from its stem: no daemon needed */
    host_t h;
    if (load(&h, path, state_file) != 0) return 2;
    h.plugin->start_processing(h.plugin);
    queue_param(&h.queue, P_MONITOR, 2);
    queue_param(&h.queue, P_AUTO, 0);
    if (state_file) {
        for (int i = 0; i < 2000 && param(&h, P_STATE) != 5.0; i++) {
            process_block(&h);
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
        }
        if (param(&h, P_STATE) != 5.0) {
            fprintf(stderr, "bench: the saved take did not load\n");
            return 1;
        }
        h.beats = 8.0;
    }
    enum { WARM = 2000, N = 20000 };
    static double t[N];
    long heard = 0;
    for (int i = 0; i < WARM + N; i++) {
        double a = now_s();
        process_block(&h);
        if (i >= WARM) t[i - WARM] = now_s() - a;
        if (state_file) {
            for (int k = 0; k < BLOCK; k++) heard += h.out_l[k] != h.in_l[k];
            if (h.beats >= 12.0) h.beats = 8.0;
        }
    }
    qsort(t, N, sizeof t[0], cmp_double);
    double budget = BLOCK / RATE;
    printf("bench: %d blocks of %d frames at %.0f Hz, stereo, transport playing, capturing, monitor both, %s\n", N,
           BLOCK, RATE, state_file ? "a take playing" : "no take yet");
    printf("bench: median %.2f us (%.5f of the %.2f ms budget), p99 %.2f us (%.5f)\n", t[N / 2] * 1e6,
           t[N / 2] / budget, budget * 1e3, t[N * 99 / 100] * 1e6, t[N * 99 / 100] / budget);
    h.plugin->stop_processing(h.plugin);
    unload(&h);
    return state_file && heard == 0 ? 1 : 0;
}

/* ---- state (a saved project) ------------------------------------------------------------------- */
static int64_t write_file(const clap_ostream_t *s, const void *buf, uint64_t n) {
    return (int64_t)fwrite(buf, 1, (size_t)n, (FILE *)s->ctx);
}
static int64_t read_file(const clap_istream_t *s, void *buf, uint64_t n) {
    return (int64_t)fread(buf, 1, (size_t)n, (FILE *)s->ctx);
}

static int save_state(host_t *h, const char *file) {
    const clap_plugin_state_t *st = h->plugin->get_extension(h->plugin, CLAP_EXT_STATE);
    FILE *f = fopen(file, "wb");
    if (!st || !f) return -1;
    clap_ostream_t out = {f, write_file};
    int ok = st->save(h->plugin, &out);
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int load_state(host_t *h, const char *file) {
    const clap_plugin_state_t *st = h->plugin->get_extension(h->plugin, CLAP_EXT_STATE);
    FILE *f = fopen(file, "rb");
    if (!st || !f) return -1;
    clap_istream_t in = {f, read_file};
    int ok = st->load(h->plugin, &in);
    fclose(f);
    return ok ? 0 : -1;
}

static void pace(double start, long blocks) {
    double wait = start + (double)blocks * BLOCK / RATE - now_s();
    if (wait > 0) {
        struct timespec ts = {0, (long)(wait * 1e9)};
        clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
    }
}

/* --watch: dry monitoring must pass the input through, block after block, whatever the daemon does. */
static int run_watch(const char *path, double seconds) {
    host_t h;
    if (load(&h, path, NULL) != 0) return 2;
    h.plugin->start_processing(h.plugin);
    queue_param(&h.queue, P_MONITOR, 0);
    double start = now_s(), next_report = start, max_block = 0;
    long blocks = 0, mismatches = 0;
    while (now_s() < start + seconds) {
        double a = now_s();
        process_block(&h);
        double took = now_s() - a;
        if (took > max_block) max_block = took;
        for (int i = 0; i < BLOCK; i++) mismatches += h.out_l[i] != h.in_l[i] || h.out_r[i] != h.in_r[i];
        if (h.beats > 400.0) h.beats = 0.0; /* a long loop */
        pace(start, ++blocks);
        if (now_s() >= next_report) {
            printf("watch: t=%.2f state=%.0f mismatches=%ld max_block_us=%.0f\n", now_s() - start, param(&h, P_STATE),
                   mismatches, max_block * 1e6);
            fflush(stdout);
            next_report += 0.25;
        }
    }
    h.plugin->stop_processing(h.plugin);
    unload(&h);
    return mismatches == 0 ? 0 : 1;
}

/* --save: generate a take (auto-fire at bar 3), hear it, save the project state. */
static int run_save(const char *path, const char *file) {
    host_t h;
    if (load(&h, path, NULL) != 0) return 2;
    static rt_format_t f;
    rt_format_init(&f, &h);
    int played = rt_scenario_play(&f, NULL); /* on this thread: no interposer here */
    int rc = played == 0 && save_state(&h, file) == 0 ? 0 : 1;
    printf("save: %s\n", rc == 0 ? "PASS" : "FAIL");
    unload(&h);
    return rc;
}

/* --load: reopen the project; play bar 3 in a loop until the restored take is heard there. */
static int run_load(const char *path, const char *file) {
    host_t h;
    if (load(&h, path, file) != 0) return 2;
    h.plugin->start_processing(h.plugin);
    queue_param(&h.queue, P_MONITOR, 1);
    h.beats = 8.0;
    double start = now_s();
    long blocks = 0, heard = 0;
    while (now_s() < start + 120.0 && heard == 0) {
        process_block(&h);
        if (param(&h, P_STATE) == 5.0)
            for (int i = 0; i < BLOCK; i++) heard += h.out_l[i] != h.in_l[i];
        if (h.beats >= 12.0) h.beats = 8.0;
        pace(start, ++blocks);
    }
    h.plugin->stop_processing(h.plugin);
    printf("load: state %.0f, take heard on %ld samples after %.1f s\n", param(&h, P_STATE), heard, now_s() - start);
    unload(&h);
    return heard > 0 ? 0 : 1;
}

/* --extend-save: generate a take, extend take 1 by two bars, save the project state. */
static int run_extend_save(const char *path, const char *file) {
    host_t h;
    if (load(&h, path, NULL) != 0) return 2;
    static rt_format_t f;
    rt_format_init(&f, &h);
    int played = rt_scenario_play(&f, NULL);
    own_buffers(&h);
    if (played != 0) {
        printf("extend-save: the take did not play: FAIL\n");
        unload(&h);
        return 1;
    }
    h.plugin->start_processing(h.plugin);
    queue_param(&h.queue, P_TAKE, 1);
    queue_param(&h.queue, P_GENBARS, 2);
    queue_param(&h.queue, P_EXTEND, 1);
    h.beats = 8.0;
    double start = now_s(), state = 5.0;
    long blocks = 0;
    int busy = 0;
    while (now_s() < start + 120.0) {
        process_block(&h);
        if (blocks == 12) queue_param(&h.queue, P_EXTEND, 0); /* a pulse, as the window sends it */
        state = param(&h, P_STATE);
        busy = busy || state == 3.0 || state == 4.0;
        if (busy && (state == 5.0 || state == 6.0)) break;
        if (h.beats >= 48.0) h.beats = 8.0;
        pace(start, ++blocks);
    }
    h.plugin->stop_processing(h.plugin);
    int rc = busy && state == 5.0 && save_state(&h, file) == 0 ? 0 : 1;
    printf("extend-save: state %.0f after the extension: %s\n", state, rc == 0 ? "PASS" : "FAIL");
    unload(&h);
    return rc;
}

/* --play: reopen the project, wait until it is ready, play BARS bars from bar 3 and keep the output. */
static int run_play(const char *path, const char *file, int bars, const char *out_path) {
    host_t h;
    if (load(&h, path, file) != 0) return 2;
    FILE *out = fopen(out_path, "wb");
    if (!out) return 2;
    h.plugin->start_processing(h.plugin);
    queue_param(&h.queue, P_MONITOR, 1);
    h.beats = 8.0;
    double start = now_s();
    long blocks = 0;
    while (now_s() < start + 120.0 && param(&h, P_STATE) != 5.0) { /* the stems load (or are fetched) */
        process_block(&h);
        if (h.beats >= 12.0) h.beats = 8.0;
        pace(start, ++blocks);
    }
    int ready = param(&h, P_STATE) == 5.0;
    long frames = 0;
    if (ready) {
        h.beats = 8.0; /* bar 3, timeline sample 57600 */
        while (h.beats < 8.0 + 4.0 * bars - 1e-9) {
            process_block(&h);
            for (int i = 0; i < BLOCK; i++) {
                float lr[2] = {h.out_l[i], h.out_r[i]};
                fwrite(lr, sizeof lr, 1, out);
            }
            frames += BLOCK;
            pace(start, ++blocks);
        }
    }
    h.plugin->stop_processing(h.plugin);
    fclose(out);
    printf("play: state %.0f, %ld frames from timeline sample 57600\n", param(&h, P_STATE), frames);
    unload(&h);
    return ready ? 0 : 1;
}

/* --texts: plays from bar 1 until the auto-fire at bar 3 has an outcome, "ready" or "error" (at most 120 s):
 * past bar 3, a state of 5 or 6 that is new, or that follows "sending"/"generating", is the outcome. */
static double fire_and_wait(host_t *h) {
    h->beats = 0.0; /* a jump: the auto-fire bar fires again */
    double before = param(h, P_STATE), start = now_s(), state = before;
    long blocks = 0;
    int busy = 0;
    while (now_s() < start + 120.0) {
        process_block(h);
        state = param(h, P_STATE);
        busy = busy || state == 3.0 || state == 4.0;
        if (h->beats > 8.0 && (state == 5.0 || state == 6.0) && (busy || state != before)) break;
        pace(start, ++blocks);
    }
    return state;
}

static int run_texts(const char *path, const char *first, const char *second, const char *out) {
    host_t h;
    if (load(&h, path, first) != 0) return 2;
    if (save_state(&h, out) != 0) { fprintf(stderr, "texts: state save failed\n"); return 2; }
    h.plugin->start_processing(h.plugin);
    queue_param(&h.queue, P_AUTO, 3);
    queue_param(&h.queue, P_GENBARS, 1);
    queue_param(&h.queue, P_TAKES, 1);
    queue_param(&h.queue, P_CAPTURE, 2);
    double a = fire_and_wait(&h);
    printf("texts: first state %.0f\n", a);
    fflush(stdout);
    if (load_state(&h, second) != 0) { fprintf(stderr, "texts: second state load failed\n"); return 2; }
    double b = fire_and_wait(&h);
    printf("texts: second state %.0f\n", b);
    h.plugin->stop_processing(h.plugin);
    unload(&h);
    return 0;
}

static int run_keep(const char *path, const char *first, const char *second, const char *out) {
    host_t h;
    if (load(&h, path, first) != 0) return 2;
    int rc = load_state(&h, second) == 0 && save_state(&h, out) == 0 ? 0 : 1;
    unload(&h);
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--rt") == 0) return run_rt(argv[2]);
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "--bench") == 0) return run_bench(argv[2], argc == 4 ? argv[3] : NULL);
    if (argc == 4 && strcmp(argv[1], "--watch") == 0) return run_watch(argv[2], atof(argv[3]));
    if (argc == 4 && strcmp(argv[1], "--save") == 0) return run_save(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "--load") == 0) return run_load(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "--extend-save") == 0) return run_extend_save(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "--play") == 0) return run_play(argv[2], argv[3], atoi(argv[4]), argv[5]);
    if (argc == 6 && strcmp(argv[1], "--texts") == 0) return run_texts(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 6 && strcmp(argv[1], "--keep") == 0) return run_keep(argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: %s --rt|--bench PLUGIN.clap | --watch PLUGIN.clap SECONDS | --save|--load|--extend-save PLUGIN.clap FILE | "
                    "--play PLUGIN.clap FILE BARS OUT | "
                    "--texts|--keep PLUGIN.clap IN1 IN2 OUT\n", argv[0]);
    return 2;
}
