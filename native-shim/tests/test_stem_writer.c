/* test_stem_writer: names, 24-bit WAV bytes, and reading a stem back (project reload). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "stem_writer.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    char name[256], path[1024];
    CHECK(segue_stem_name(name, sizeof name, "Bass 1/L", 9, 120.0, 2) == 0 && strcmp(name, "Bass_1_L_bar009_120bpm_take2.wav") == 0);
    CHECK(segue_stem_name(name, sizeof name, "", 123, 98.5, 16) == 0 && strcmp(name, "track_bar123_98.5bpm_take16.wav") == 0);
    CHECK(segue_stem_name(name, sizeof name, "t", 1, 133.333, 1) == 0 && strcmp(name, "t_bar001_133.33bpm_take1.wav") == 0);

    enum { N = 1000 };
    float *audio = malloc(sizeof(float) * 2 * N);
    for (int i = 0; i < N; i++) { audio[2 * i] = (float)(i - 500) / 500.0f; audio[2 * i + 1] = i == 7 ? 2.0f : 0.25f; }
    snprintf(path, sizeof path, "%s/stem_test.wav", dir);
    CHECK(segue_stem_write(path, audio, N, 2, 48000) == 0);
    FILE *f = fopen(path, "rb");
    unsigned char h[44];
    CHECK(f && fread(h, 1, 44, f) == 44);
    fseek(f, 0, SEEK_END);
    CHECK(ftell(f) == 44 + N * 6);
    fclose(f);
    CHECK(memcmp(h, "RIFF", 4) == 0 && h[22] == 2 && h[34] == 24 && (h[24] | h[25] << 8 | h[26] << 16) == 48000);
    float *back;
    uint64_t frames;
    uint32_t channels, rate;
    CHECK(segue_stem_read(path, &back, &frames, &channels, &rate) == 0);
    CHECK(frames == N && channels == 2 && rate == 48000);
    int close = 1;
    for (int i = 0; i < N; i++) close &= (back[2 * i] - audio[2 * i]) < 1e-6f && (audio[2 * i] - back[2 * i]) < 1e-6f;
    CHECK(close);
    CHECK(back[2 * 7 + 1] == 1.0f); /* clipped */
    free(back);
    CHECK(segue_stem_write(path, audio, N, 1, 44100) == 0); /* mono: the left side */
    CHECK(segue_stem_read(path, &back, &frames, &channels, &rate) == 0 && channels == 1 && rate == 44100 && back[1] == back[0]);
    free(back);
    remove(path);
    free(audio);
    /* the sidecar: where the stem belongs, next to it */
    char side[4200], text[512];
    CHECK(segue_stem_sidecar_path(side, sizeof side, "/x/a_bar005_120bpm_take2.wav") == 0);
    CHECK(strcmp(side, "/x/a_bar005_120bpm_take2.segue") == 0);
    CHECK(segue_stem_sidecar_path(side, sizeof side, "/x/a.flac") == -1);
    segue_stem_place_t place = {384000, 48000, 768000, 5, 120.0, 3, 4, 2, "j1-2"};
    CHECK(segue_stem_write_sidecar(path, &place) == 0);
    CHECK(segue_stem_sidecar_path(side, sizeof side, path) == 0);
    FILE *sf = fopen(side, "rb");
    CHECK(sf != NULL);
    size_t got = sf ? fread(text, 1, sizeof text - 1, sf) : 0;
    if (sf) fclose(sf);
    text[got] = '\0';
    CHECK(strcmp(text, "segue-stem 1\nfile stem_test.wav\nstart_sample 384000\nsample_rate 48000\nframes 768000\nbar 5\n"
                       "tempo_bpm 120\ntime_sig 3/4\ntake 2\njob j1-2\n") == 0);
    remove(side);
    return CHECK_DONE("test_stem_writer");
}
