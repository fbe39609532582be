/* test_engine: the audio-thread path without a daemon: passthrough, offline state, capture segments,
 * a refused generate, parameter bounds, and the plugin state text round trip. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "segue_engine.h"

int main(void) {
    segue_config_t cfg = {"tcp://127.0.0.1:1", "/tmp", "trk"};
    segue_engine_t *e = segue_engine_create(&cfg);
    CHECK(e != NULL);
    CHECK(segue_engine_activate(e, 48000.0) == 0);
    float inl[256], inr[256], outl[256], outr[256];
    const float *in[2] = {inl, inr};
    float *out[2] = {outl, outr};
    for (int i = 0; i < 256; i++) { inl[i] = (float)i; inr[i] = -(float)i; }
    segue_host_time_t stopped = {1, 0, 0, 1, 0.0, 120.0, 4, 4};
    segue_engine_set_param(e, SEGUE_P_MONITOR, 1); /* take mode without a take: dry passes */
    segue_engine_process(e, in, out, 256, &stopped);
    CHECK(memcmp(inl, outl, sizeof inl) == 0 && memcmp(inr, outr, sizeof inr) == 0);
    CHECK(segue_engine_get_param(e, SEGUE_P_STATE) == 0.0f); /* no daemon on port 1 */
    /* bounds and integer rounding */
    segue_engine_set_param(e, SEGUE_P_CAPTURE_BARS, 99);
    CHECK(segue_engine_get_param(e, SEGUE_P_CAPTURE_BARS) == 16.0f);
    segue_engine_set_param(e, SEGUE_P_TAKES, 2.6f);
    CHECK(segue_engine_get_param(e, SEGUE_P_TAKES) == 3.0f);
    segue_engine_set_param(e, SEGUE_P_STATE, 5); /* outputs are not settable */
    CHECK(segue_engine_get_param(e, SEGUE_P_STATE) == 0.0f);
    /* in place: out aliases in */
    segue_host_time_t playing = {1, 1, 0, 1, 0.0, 120.0, 4, 4};
    memcpy(outl, inl, sizeof inl);
    float *io[2] = {outl, outr};
    segue_engine_process(e, (const float *const *)io, io, 256, &playing);
    CHECK(outl[100] == 100.0f);
    /* state text round trip */
    const char *text = "segue-state 1\njob j1-2 96000 1 48000 28800 400 4 4 2\nstem 1 /tmp/a b/x_bar002_400bpm_take1.wav\n"
                       "stem 2 /tmp/y.wav\n";
    CHECK(segue_engine_state_restore(e, text) == 0);
    char saved[4096];
    segue_engine_state_save(e, saved, sizeof saved);
    CHECK(strcmp(saved, text) == 0);
    CHECK(segue_engine_state_restore(e, "not a state") == -1);
    segue_engine_deactivate(e);
    segue_engine_destroy(e);
    return CHECK_DONE("test_engine");
}
