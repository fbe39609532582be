#include "stem_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"

int segue_stem_name(char *out, size_t cap, const char *track, int64_t bar_1based, double bpm, uint32_t take_1based) {
    char safe[65];
    size_t n = 0;
    for (const char *p = track ? track : ""; *p && n < sizeof safe - 1; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        safe[n++] = ok ? ch : '_';
    }
    safe[n] = '\0';
    if (n == 0) snprintf(safe, sizeof safe, "track");
    char tempo[32];
    snprintf(tempo, sizeof tempo, "%.2f", bpm);
    char *end = tempo + strlen(tempo) - 1; /* 120.00 -> 120, 98.50 -> 98.5 */
    while (*end == '0') *end-- = '\0';
    if (*end == '.') *end = '\0';
    int w = snprintf(out, cap, "%s_bar%03lld_%sbpm_take%u.wav", safe, (long long)bar_1based, tempo, take_1based);
    return w > 0 && (size_t)w < cap ? 0 : -1;
}

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

static void put_u16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
}

int segue_stem_write(const char *path, const float *stereo, uint64_t frames, uint32_t channels, uint32_t rate) {
    if (channels != 1 && channels != 2) return -1;
    uint64_t data_bytes = frames * channels * 3u;
    if (data_bytes > 0xffffffffu - 36u) return -1;
    char part[4200];
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part) return -1;
    FILE *f = fopen(part, "wb");
    if (!f) return -1;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    put_u32(h + 4, (uint32_t)(36 + data_bytes));
    memcpy(h + 8, "WAVEfmt ", 8);
    put_u32(h + 16, 16);
    put_u16(h + 20, 1); /* PCM */
    put_u16(h + 22, (uint16_t)channels);
    put_u32(h + 24, rate);
    put_u32(h + 28, rate * channels * 3u);
    put_u16(h + 32, (uint16_t)(channels * 3u));
    put_u16(h + 34, 24);
    memcpy(h + 36, "data", 4);
    put_u32(h + 40, (uint32_t)data_bytes);
    int ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    unsigned char buf[3 * 2 * 1024];
    for (uint64_t i = 0; ok && i < frames;) {
        size_t n = 0;
        for (; i < frames && n + 3 * channels <= sizeof buf; i++) {
            for (uint32_t c = 0; c < channels; c++) {
                double x = stereo[2 * i + c];
                if (!(x > -1.0)) x = -1.0; /* also NaN */
                if (x > 1.0) x = 1.0;
                long v = lrint(x * 8388607.0);
                buf[n++] = (unsigned char)(v & 0xff);
                buf[n++] = (unsigned char)((v >> 8) & 0xff);
                buf[n++] = (unsigned char)((v >> 16) & 0xff);
            }
        }
        ok = fwrite(buf, 1, n, f) == n;
    }
    ok = fclose(f) == 0 && ok;
    if (!ok || segue_platform_rename(part, path) != 0) {
        remove(part);
        return -1;
    }
    return 0;
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int segue_stem_read(const char *path, float **stereo, uint64_t *frames, uint32_t *channels, uint32_t *rate) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char h[44];
    int rc = -1;
    if (fread(h, 1, sizeof h, f) != sizeof h || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVEfmt ", 8) ||
        get_u32(h + 16) != 16 || h[20] != 1 || h[34] != 24 || memcmp(h + 36, "data", 4))
        goto out;
    uint32_t ch = h[22], sr = get_u32(h + 24), bytes = get_u32(h + 40);
    if ((ch != 1 && ch != 2) || sr < 8000 || sr > 192000 || bytes % (3 * ch)) goto out;
    uint64_t n = bytes / (3 * ch);
    float *out = calloc((size_t)n * 2 + 2, sizeof(float));
    unsigned char s[6];
    if (!out) goto out;
    for (uint64_t i = 0; i < n; i++) {
        if (fread(s, 1, 3 * ch, f) != 3 * ch) {
            free(out);
            goto out;
        }
        for (uint32_t c = 0; c < ch; c++) {
            int32_t v = (int32_t)((uint32_t)s[3 * c] << 8 | (uint32_t)s[3 * c + 1] << 16 | (uint32_t)s[3 * c + 2] << 24) >> 8;
            out[2 * i + c] = (float)(v / 8388607.0);
        }
        if (ch == 1) out[2 * i + 1] = out[2 * i];
    }
    *stereo = out;
    *frames = n;
    *channels = ch;
    *rate = sr;
    rc = 0;
out:
    fclose(f);
    return rc;
}

int segue_stem_sidecar_path(char *out, size_t cap, const char *stem_path) {
    size_t n = strlen(stem_path);
    if (n < 4 || strcmp(stem_path + n - 4, ".wav") != 0) return -1;
    int w = snprintf(out, cap, "%.*s.segue", (int)(n - 4), stem_path);
    return w > 0 && (size_t)w < cap ? 0 : -1;
}

int segue_stem_write_sidecar(const char *stem_path, const segue_stem_place_t *p) {
    char path[4200], part[4300];
    if (segue_stem_sidecar_path(path, sizeof path, stem_path) != 0) return -1;
    snprintf(part, sizeof part, "%s.part", path);
    const char *file = strrchr(stem_path, '/');
    file = file ? file + 1 : stem_path;
    FILE *f = fopen(part, "wb");
    if (!f) return -1;
    int ok = fprintf(f,
                     "segue-stem 1\n"
                     "file %s\n"
                     "start_sample %lld\n"
                     "sample_rate %u\n"
                     "frames %llu\n"
                     "bar %lld\n"
                     "tempo_bpm %.17g\n"
                     "time_sig %d/%d\n"
                     "take %u\n"
                     "job %s\n",
                     file, (long long)p->start_sample, p->rate, (unsigned long long)p->frames, (long long)p->bar_1based,
                     p->bpm, p->num, p->den, p->take_1based, p->job ? p->job : "") > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || segue_platform_rename(part, path) != 0) {
        remove(part);
        return -1;
    }
    return 0;
}
