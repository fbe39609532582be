#include "transport.h"

#include <math.h>

#include "bars.h"

double segue_samples_per_bar(double rate, double bpm, int num, int den) {
    return segue_seconds_for_bars(1.0, bpm, num, den) * rate;
}

int64_t segue_frames_for_bars(double bars, double bpm, int num, int den, double rate) {
    return (int64_t)floor(segue_seconds_for_bars(bars, bpm, num, den) * rate + 0.5);
}

void segue_transport_reset(segue_transport_t *t, double rate) {
    *t = (segue_transport_t){0};
    t->rate = rate;
    t->fallback_bpm = 120.0;
    t->tempo_bpm = 120.0;
    t->ts_num = 4;
    t->ts_den = 4;
    t->samples_per_bar = segue_samples_per_bar(rate, 120.0, 4, 4);
}

static int valid_meter(int num, int den) {
    return num >= 1 && num <= 32 && (den == 1 || den == 2 || den == 4 || den == 8 || den == 16 || den == 32);
}

void segue_transport_update(segue_transport_t *t, const segue_host_time_t *host, uint32_t frames) {
    segue_host_time_t h = *host;
    if (!h.host_time) {
        /* No host transport: play from sample 0 of our own timeline at the fallback tempo, 4/4. */
        h.playing = 1;
        h.frame = t->free_run_frame;
        h.bar_valid = 0;
        h.tempo_bpm = t->fallback_bpm;
        h.ts_num = 4;
        h.ts_den = 4;
        t->free_run_frame += frames;
    }
    if (!(h.tempo_bpm >= 20.0 && h.tempo_bpm <= 400.0)) h.tempo_bpm = t->anchored ? t->tempo_bpm : t->fallback_bpm;
    if (!valid_meter(h.ts_num, h.ts_den)) {
        h.ts_num = t->anchored ? t->ts_num : 4;
        h.ts_den = t->anchored ? t->ts_den : 4;
    }
    int jumped = !t->anchored || h.frame != t->next_frame || (h.playing && !t->was_playing) ||
                 h.tempo_bpm != t->tempo_bpm || h.ts_num != t->ts_num || h.ts_den != t->ts_den;
    if (jumped) {
        double spb = segue_samples_per_bar(t->rate, h.tempo_bpm, h.ts_num, h.ts_den);
        /* Without the host's bar, the grid starts at timeline sample 0 with the current tempo. */
        double bar = h.bar_valid && isfinite(h.bar) ? h.bar : (double)h.frame / spb;
        t->anchored = 1;
        t->anchor_frame = h.frame;
        t->anchor_bar = bar;
        t->tempo_bpm = h.tempo_bpm;
        t->ts_num = h.ts_num;
        t->ts_den = h.ts_den;
        t->samples_per_bar = spb;
    }
    t->jumped = jumped;
    t->playing = h.playing;
    t->was_playing = h.playing;
    t->frame = h.frame;
    t->next_frame = h.playing ? h.frame + (int64_t)frames : h.frame;
}

int64_t segue_transport_bar_start(const segue_transport_t *t, int64_t bar) {
    return t->anchor_frame + (int64_t)llround(((double)bar - t->anchor_bar) * t->samples_per_bar);
}

double segue_transport_bar_at(const segue_transport_t *t, int64_t frame) {
    return t->anchor_bar + (double)(frame - t->anchor_frame) / t->samples_per_bar;
}
