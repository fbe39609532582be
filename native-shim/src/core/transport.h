/*
 * transport.h: where the host's transport is, in samples and in bars, block by block.
 *
 * Hosts report their position differently (LV2 in beats of the meter's note value, VST3 and CLAP in
 * quarter notes; some report only at relocations and expect the plugin to count forward). The plugin
 * layer converts what its host gives into segue_host_time_t; the tracker turns that into a steady
 * bar grid: it re-anchors only when the position jumps, the transport starts, or tempo or meter
 * change, and between those it counts samples, so the grid never drifts by rounding.
 *
 * Bars are 0-based here (the DAW's bar 1 is bar 0), as in the protocol's prime_start_bar.
 * A bar lasts num * 4 / den quarter notes; samples per bar = that * 60 / bpm * rate.
 */
#ifndef SEGUE_TRANSPORT_H
#define SEGUE_TRANSPORT_H

#include <stdint.h>

typedef struct {
    int host_time;     /* 0 when the host gives no transport at all (offline renderers): free-run */
    int playing;
    int64_t frame;     /* timeline sample at the block's first frame */
    int bar_valid;     /* bar below is the host's own musical position */
    double bar;        /* 0-based bars at the block's first frame */
    double tempo_bpm;  /* quarter notes per minute */
    int ts_num, ts_den;
} segue_host_time_t;

typedef struct {
    double rate;
    double fallback_bpm;
    /* anchor: timeline sample anchor_frame is at bar anchor_bar, with this tempo and meter */
    int anchored;
    int64_t anchor_frame;
    double anchor_bar;
    double tempo_bpm;
    int ts_num, ts_den;
    double samples_per_bar;
    /* what the tracker expects next */
    int was_playing;
    int64_t next_frame;
    int64_t free_run_frame; /* own timeline for hosts without transport */
    /* this block, after segue_transport_update */
    int playing;
    int64_t frame;
    int jumped;             /* this block does not continue the previous one */
} segue_transport_t;

void segue_transport_reset(segue_transport_t *t, double rate);

/* Audio thread, once per block, before anything reads the block's position. */
void segue_transport_update(segue_transport_t *t, const segue_host_time_t *host, uint32_t frames);

/* The timeline sample where 0-based bar `bar` starts on the current grid (rounded to a sample). */
int64_t segue_transport_bar_start(const segue_transport_t *t, int64_t bar);

/* The 0-based bar position of a timeline sample on the current grid. */
double segue_transport_bar_at(const segue_transport_t *t, int64_t frame);

/* Samples per bar at a tempo and meter: bars * num * 4 / den quarter notes. */
double segue_samples_per_bar(double rate, double bpm, int num, int den);

/* The protocol's length of a continuation: floor(bars * 240 * num / (den * bpm) * rate + 0.5). */
int64_t segue_frames_for_bars(double bars, double bpm, int num, int den, double rate);

#endif
