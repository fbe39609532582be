/* test_core: the audio-thread path without a daemon: passthrough, offline state, capture segments,
 * a refused generate, parameter bounds, bypass over a playing take, and the plugin state text round trip. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "core_internal.h"
#include "segue_core.h"
#include "takes.h"

int main(void) {
    segue_config_t cfg = {"tcp://127.0.0.1:1", "/tmp", "trk"};
    segue_core_t *e = segue_core_create(&cfg);
    CHECK(e != NULL);
    CHECK(segue_core_activate(e, 48000.0) == 0);
    float inl[256], inr[256], outl[256], outr[256];
    const float *in[2] = {inl, inr};
    float *out[2] = {outl, outr};
    for (int i = 0; i < 256; i++) { inl[i] = (float)i; inr[i] = -(float)i; }
    segue_host_time_t stopped = {1, 0, 0, 1, 0.0, 120.0, 4, 4};
    segue_core_set_param(e, SEGUE_P_MONITOR, 1); /* take mode without a take: dry passes */
    segue_core_process(e, in, out, 256, &stopped);
    CHECK(memcmp(inl, outl, sizeof inl) == 0 && memcmp(inr, outr, sizeof inr) == 0);
    CHECK(segue_core_get_param(e, SEGUE_P_STATE) == 0.0f); /* no daemon on port 1 */
    /* bounds and integer rounding */
    segue_core_set_param(e, SEGUE_P_CAPTURE_BARS, 99);
    CHECK(segue_core_get_param(e, SEGUE_P_CAPTURE_BARS) == 16.0f);
    segue_core_set_param(e, SEGUE_P_TAKES, 2.6f);
    CHECK(segue_core_get_param(e, SEGUE_P_TAKES) == 3.0f);
    segue_core_set_param(e, SEGUE_P_STATE, 5); /* outputs are not settable */
    CHECK(segue_core_get_param(e, SEGUE_P_STATE) == 0.0f);
    /* in place: out aliases in */
    segue_host_time_t playing = {1, 1, 0, 1, 0.0, 120.0, 4, 4};
    memcpy(outl, inl, sizeof inl);
    float *io[2] = {outl, outr};
    segue_core_process(e, (const float *const *)io, io, 256, &playing);
    CHECK(outl[100] == 100.0f);
    /* bypass: a take covers timeline samples 256..767 with 0.5 / -0.25; with monitor on the take it
     * replaces the input; bypassed, the output is the input sample for sample, also inside the take */
    segue_takeset_t *set = segue_takeset_new(256, 48000, 512, 1);
    CHECK(set != NULL);
    float take_audio[512 * 2];
    for (int i = 0; i < 512; i++) { take_audio[2 * i] = 0.5f; take_audio[2 * i + 1] = -0.25f; }
    CHECK(segue_takeset_write(set, 0, 1, 0, 512, 2, (const uint8_t *)take_audio) == 0);
    segue_core_publish_takes(e, set);
    segue_core_set_param(e, SEGUE_P_TAKE, 1);
    segue_host_time_t at256 = {1, 1, 256, 1, 256.0 / 96000.0, 120.0, 4, 4};
    segue_core_process(e, in, out, 256, &at256);
    CHECK(outl[0] == 0.5f && outr[255] == -0.25f); /* the take plays */
    CHECK(segue_core_get_param(e, SEGUE_P_BYPASS) == 0.0f);
    segue_core_set_param(e, SEGUE_P_BYPASS, 1);
    segue_host_time_t at512 = {1, 1, 512, 1, 512.0 / 96000.0, 120.0, 4, 4};
    segue_core_process(e, in, out, 256, &at512);
    CHECK(memcmp(inl, outl, sizeof inl) == 0 && memcmp(inr, outr, sizeof inr) == 0);
    segue_core_set_param(e, SEGUE_P_MONITOR, 2); /* "both" bypassed: still the input alone */
    segue_core_process(e, in, out, 256, &at512);
    CHECK(memcmp(inl, outl, sizeof inl) == 0 && memcmp(inr, outr, sizeof inr) == 0);
    segue_core_set_param(e, SEGUE_P_BYPASS, 0);
    segue_core_process(e, in, out, 256, &at512);
    CHECK(outl[10] == inl[10] + 0.5f);
    /* the CurveZMQ client key a UI shows: made on first use in the user's settings folder, the secret 0600 */
    char home[] = "/tmp/segue-test-core-XXXXXX";
    CHECK(mkdtemp(home) != NULL);
    setenv("HOME", home, 1);
    unsetenv("XDG_CONFIG_HOME");
    char key[64], file[1024], again[64];
    segue_core_client_key(e, key, sizeof key, file, sizeof file);
    CHECK(strlen(key) == 40);
    char secret[1100];
    snprintf(secret, sizeof secret, "%s/.config/segue/client.secret", home);
    struct stat st;
    CHECK(stat(secret, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(strstr(file, "/.config/segue/client.public") != NULL && stat(file, &st) == 0);
    segue_core_t *other = segue_core_create(&cfg); /* another instance: the same user's key */
    segue_core_client_key(other, again, sizeof again, NULL, 0);
    CHECK(strcmp(key, again) == 0);
    segue_core_destroy(other);
    remove(secret);
    remove(file);
    snprintf(secret, sizeof secret, "%s/.config/segue", home);
    rmdir(secret);
    snprintf(secret, sizeof secret, "%s/.config", home);
    rmdir(secret);
    rmdir(home);
    /* state text round trip */
    const char *text = "segue-state 1\njob j1-2 96000 1 48000 28800 400 4 4 2\nstem 1 /tmp/a b/x_bar002_400bpm_take1.wav\n"
                       "stem 2 /tmp/y.wav\n";
    CHECK(segue_core_state_restore(e, text) == 0);
    char saved[4096];
    segue_core_state_save(e, saved, sizeof saved);
    CHECK(strcmp(saved, text) == 0);
    CHECK(segue_core_state_restore(e, "not a state") == -1);
    segue_core_deactivate(e);
    segue_core_destroy(e);
    return CHECK_DONE("test_core");
}
