/*
 * rt_scenario.h: the real-time scenario every format's test host plays, and the verdict on it.
 *
 * The same story for the CLAP build (clap_host.c), the LV2 build (lv2_rt_host.c) and the VST3 build
 * (vst3_rt_host.cpp), so the RT-safety proof covers each format's own process path (DPF's wrapper
 * included), not only the core:
 *
 *   a transport plays at 400 bpm, 4/4, 48 kHz, in 512-frame blocks, in real time, on a thread of its own
 *   (the audio thread); the plugin, set up by the host with auto_fire_bar 3, generate_bars 8, takes 1,
 *   capture_bars 2 and monitor "take", fires at bar 3 and its client thread talks to a real daemon; while it
 *   generates, bar 3 loops (the previews must be heard there); once it is ready, bar 3 is played again from
 *   its start and a little past bar 4. The take must replace the input on every timeline sample from
 *   exactly 57600 (bar 3) to the last one played, and the state must still be "ready".
 *
 * Each host supplies two calls: prepare() turns (song position, timeline sample) into its format's
 * transport and parameter events for the next block, outside the counted region; run() is the format's
 * own process entry point (CLAP process, LV2 run, VST3 IAudioProcessor::process) and nothing else. Every
 * run() is marked for rt_interpose.so (LD_PRELOAD), which counts allocator, mutex and system-call
 * wrapper calls made on the marked thread; rt_scenario_main fails unless every count is zero.
 *
 * This is a header with static functions, included by one test host each: no library to build.
 */
#ifndef SEGUE_RT_SCENARIO_H
#define SEGUE_RT_SCENARIO_H

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rt_interpose.h"

#define RT_RATE 48000.0
#define RT_BLOCK 512
#define RT_BPM 400.0
#define RT_BAR_SAMPLES 28800 /* one 4/4 bar at 400 bpm and 48 kHz */

typedef struct rt_format {
    const char *name; /* "CLAP", "LV2", "VST3": the lines it prints start with "rt(NAME)" */
    void *ctx;
    /* The scenario's audio buffers: the host connects them once (two channels in, two out). */
    float in[2][RT_BLOCK], out[2][RT_BLOCK];
    /* The next block plays from `beats` quarter notes (timeline sample `sample`); not counted. */
    void (*prepare)(struct rt_format *f, double beats, int64_t sample);
    /* The format's process entry point for one block; 0 when it did not report an error. Counted. */
    int (*run)(struct rt_format *f);
    /* The plugin's `state` output parameter (enum segue_state), as the format reports it. */
    double (*state)(struct rt_format *f);
    /* Around the audio thread's life (start/stop processing), or NULL. Not counted. */
    int (*start)(struct rt_format *f);
    void (*stop)(struct rt_format *f);
} rt_format_t;

static double rt_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The input: two quiet sines, a function of the timeline sample, so a take is told from it exactly. */
static void rt_fill_input(rt_format_t *f, int64_t sample) {
    for (int i = 0; i < RT_BLOCK; i++) {
        double s = (double)(sample + i);
        f->in[0][i] = (float)(0.25 * sin(s * 0.031));
        f->in[1][i] = (float)(0.25 * sin(s * 0.017));
    }
}

/* Plays the scenario on the calling thread; 0 when the take was heard where it belongs. `mark` may be
 * NULL (no interposer: a --save run of the CLAP host). */
static int rt_scenario_play(rt_format_t *f, rt_mark_fn mark) {
    if (f->start && f->start(f) != 0) return 1;
    double beats = 0.0;
    int64_t steady = 0; /* samples played, for the input only */
    double start = rt_now_s(), deadline = start + 240.0;
    long blocks = 0, heard = 0, preview_heard = 0;
    int64_t first = -1, last = -1; /* timeline samples where the take replaced the input */
    int64_t played_last = -1;       /* the last timeline sample played after relocating */
    int relocated = 0, generating = 0;
    while (rt_now_s() < deadline) {
        int64_t block_start = llround(beats * 60.0 / RT_BPM * RT_RATE);
        rt_fill_input(f, steady);
        f->prepare(f, beats, block_start);
        if (mark) mark(1);
        int rc = f->run(f);
        if (mark) mark(0);
        if (rc != 0) {
            printf("rt(%s): the plugin's process reported an error\n", f->name);
            return 1;
        }
        steady += RT_BLOCK;
        beats += RT_BLOCK * RT_BPM / 60.0 / RT_RATE;
        blocks++;
        if (relocated) {
            played_last = block_start + RT_BLOCK - 1;
            for (int i = 0; i < RT_BLOCK; i++) {
                /* A frame is the input's when both channels are: one channel of a take can equal the input's
                 * sample by chance (a float in ~1e7 values, over ~6e4 frames), both at once cannot. */
                if (f->out[0][i] == f->in[0][i] && f->out[1][i] == f->in[1][i]) continue;
                heard++;
                if (first < 0) first = block_start + i;
                last = block_start + i;
            }
            if (beats >= 12.0 + 4.0) break; /* played bar 3 (beats 8..12) and a little after */
        }
        double state = f->state(f);
        if (!relocated && (state == 3.0 || state == 4.0)) {
            generating = 1;
            /* while it generates, loop bar 3 (where the take will sit): previews play as they arrive */
            for (int i = 0; i < RT_BLOCK; i++)
                preview_heard += state == 4.0 && (f->out[0][i] != f->in[0][i] || f->out[1][i] != f->in[1][i]);
            if (beats >= 12.0) beats = 8.0;
        }
        /* once the take is ready, play bar 3 again from its start */
        if (!relocated && state == 5.0) {
            beats = 8.0;
            relocated = 1;
        }
        double wait = start + (double)blocks * RT_BLOCK / RT_RATE - rt_now_s(); /* real-time pace */
        if (wait > 0) {
            struct timespec ts = {0, (long)(wait * 1e9)};
            clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
        }
    }
    if (f->stop) f->stop(f);
    double state = f->state(f);
    printf("rt(%s): %ld blocks, state %.0f, take heard on %ld samples, timeline samples %lld..%lld\n", f->name, blocks,
           state, heard, (long long)first, (long long)last);
    printf("rt(%s): while generating (%s), previews heard on %ld samples\n", f->name, generating ? "seen" : "not seen",
           preview_heard);
    /* The take starts exactly on bar 3 and outlasts what is played after relocating (at least bars 3 and 4),
     * so it replaces the input on every sample from there to the last one played, without a gap. */
    return relocated && first == 2 * RT_BAR_SAMPLES && last == played_last && heard == last - first + 1 &&
                   played_last >= 4 * RT_BAR_SAMPLES - 1 && state == 5.0 && preview_heard > 0
               ? 0
               : 1;
}

typedef struct {
    rt_format_t *f;
    rt_mark_fn mark;
    int result;
} rt_thread_arg_t;

static void *rt_audio_thread(void *arg) {
    rt_thread_arg_t *a = (rt_thread_arg_t *)arg;
    a->result = rt_scenario_play(a->f, a->mark);
    return NULL;
}

/* The proof: the scenario on an audio thread of its own under rt_interpose.so; prints the counts and
 * "rt(NAME): PASS" or "FAIL"; 0 on PASS, 1 on FAIL, 2 when not run under the interposer. */
static int rt_scenario_main(rt_format_t *f) {
    rt_mark_fn mark = (rt_mark_fn)dlsym(RTLD_DEFAULT, "rt_interpose_mark");
    rt_counts_fn counts = (rt_counts_fn)dlsym(RTLD_DEFAULT, "rt_interpose_counts");
    if (!mark || !counts) {
        fprintf(stderr, "rt(%s): run under LD_PRELOAD=rt_interpose.so\n", f->name);
        return 2;
    }
    rt_thread_arg_t a = {f, mark, 1};
    pthread_t audio;
    if (pthread_create(&audio, NULL, rt_audio_thread, &a) != 0) return 2;
    pthread_join(audio, NULL);
    rt_counts_t c;
    counts(&c);
    printf("rt(%s): inside process(): malloc %ld calloc %ld realloc %ld free %ld mutex_lock %ld trylock %ld unlock %ld "
           "syscall wrappers %ld\n", f->name, c.malloc_calls, c.calloc_calls, c.realloc_calls, c.free_calls,
           c.mutex_lock_calls, c.mutex_trylock_calls, c.mutex_unlock_calls, c.syscall_wrapper_calls);
    long total = c.malloc_calls + c.calloc_calls + c.realloc_calls + c.free_calls + c.mutex_lock_calls +
                 c.mutex_trylock_calls + c.mutex_unlock_calls + c.syscall_wrapper_calls;
    int ok = total == 0 && a.result == 0;
    printf("rt(%s): %s\n", f->name, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

#endif
