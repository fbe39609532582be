/*
 * test_transport: bar grid from host time, relocation, free-run without a host, the protocol length, and
 * the bars-to-seconds formula against the shared vectors (usage: test_transport VECTORS_DIR).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bars.h"
#include "check.h"
#include "transport.h"

/* VECTORS_DIR/bars_seconds.tsv: bars, tempo, num, den, the seconds' IEEE bits in hex. The Java codec's test
 * reads the same file, so both languages are held to the same doubles. */
static void check_bars_vectors(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/bars_seconds.tsv", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512];
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        double bars, bpm;
        int num, den;
        uint64_t bits;
        CHECK(sscanf(line, "%lf\t%lf\t%d\t%d\t%" SCNx64, &bars, &bpm, &num, &den, &bits) == 5);
        double s = segue_seconds_for_bars(bars, bpm, num, den);
        uint64_t got;
        memcpy(&got, &s, sizeof got);
        if (got != bits) printf("bars_seconds row %d: %.17g gives %016" PRIx64 ", want %016" PRIx64 "\n", rows + 1, bars, got, bits);
        CHECK(got == bits);
        CHECK(segue_frames_for_bars(bars, bpm, num, den, 48000.0) == (int64_t)floor(s * 48000.0 + 0.5));
        rows++;
    }
    fclose(f);
    CHECK(rows >= 10);
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    if (argc == 2) check_bars_vectors(argv[1]);
    segue_transport_t t;
    segue_transport_reset(&t, 48000.0);
    /* 120 bpm 4/4 at 48 kHz: a bar is 96000 samples; 6/8 at 120 quarter-bpm: 72000 */
    CHECK(segue_samples_per_bar(48000, 120, 4, 4) == 96000.0);
    CHECK(segue_samples_per_bar(48000, 120, 6, 8) == 72000.0);
    /* PROTOCOL.md 4.1: 8 bars at 120 bpm 4/4 = 16 s; 1 bar at 400 bpm = 0.6 s = 28800 frames */
    CHECK(segue_frames_for_bars(8, 120, 4, 4, 48000) == 768000);
    CHECK(segue_frames_for_bars(1, 400, 4, 4, 48000) == 28800);
    CHECK(segue_frames_for_bars(1, 97, 4, 4, 44100) == (int64_t)floor(240.0 / 97.0 * 44100 + 0.5));

    /* host playing from bar 2.5 (0-based) at frame 240000, 120 bpm 4/4 */
    segue_host_time_t h = {1, 1, 240000, 1, 2.5, 120.0, 4, 4};
    segue_transport_update(&t, &h, 512);
    CHECK(t.jumped && t.playing);
    CHECK(segue_transport_bar_start(&t, 3) == 240000 + 48000);
    CHECK(fabs(segue_transport_bar_at(&t, 288000) - 3.0) < 1e-12);
    /* continuing blocks do not re-anchor, even if the host's bar drifts (DPF LV2 interpolation) */
    h.frame += 512;
    h.bar = 7.0;
    segue_transport_update(&t, &h, 512);
    CHECK(!t.jumped);
    CHECK(segue_transport_bar_start(&t, 3) == 288000);
    /* a relocation re-anchors */
    h.frame = 0;
    h.bar = 0.0;
    segue_transport_update(&t, &h, 512);
    CHECK(t.jumped && segue_transport_bar_start(&t, 1) == 96000);
    /* stop then start at the same place counts as a new start */
    h.playing = 0;
    h.frame = 512;
    segue_transport_update(&t, &h, 512);
    CHECK(!t.playing);
    h.playing = 1;
    segue_transport_update(&t, &h, 512);
    CHECK(t.jumped);

    /* no host transport: free-run from 0 at the fallback tempo, 4/4 */
    segue_transport_reset(&t, 48000.0);
    t.fallback_bpm = 400.0;
    segue_host_time_t none = {0};
    for (int i = 0; i < 10; i++) segue_transport_update(&t, &none, 512);
    CHECK(t.playing && t.frame == 9 * 512);
    CHECK(segue_transport_bar_start(&t, 2) == 57600);
    return CHECK_DONE("test_transport");
}
