/*
 * test_codec_vectors: the C codec against every golden vector (protocol/vectors/README.md).
 *   valid:   decodes, and re-encodes to the same header bytes (the audio frame is carried as is);
 *   invalid: decoding fails with the code invalid/expected.txt names;
 *   lenient: decodes, and encodes to the bytes of the canonical vector it names.
 * usage: test_codec_vectors VECTORS_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "frames_file.h"

static int passed, failed;

static void result(int ok, const char *name, const char *why) {
    if (ok) passed++;
    else {
        failed++;
        printf("FAIL %s: %s\n", name, why);
    }
}

static int reencodes_to(const segue_msg_t *m, const frames_file_t *want, char *why, size_t cap) {
    uint8_t *hdr;
    size_t n;
    if (segue_encode_header(m, &hdr, &n) != 0) {
        snprintf(why, cap, "encode failed");
        return 0;
    }
    int same = n == want->frame[0].size && memcmp(hdr, want->frame[0].data, n) == 0;
    if (!same) snprintf(why, cap, "re-encoded header differs (%zu bytes, want %zu)", n, want->frame[0].size);
    free(hdr);
    if (same && want->count == 2 && (m->audio_bytes != want->frame[1].size || memcmp(m->audio, want->frame[1].data, m->audio_bytes) != 0)) {
        snprintf(why, cap, "audio differs");
        same = 0;
    }
    return same;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    static segue_msg_t msg;
    char path[4096], err[512], why[600];
    int valid = 0, invalid = 0, lenient = 0;

    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL cannot open %s\n", dir);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".frames")) continue;
        frames_file_t f;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (frames_file_read(path, &f) != 0) {
            result(0, e->d_name, "unreadable");
            continue;
        }
        segue_code_t code = segue_decode(f.frame, f.count, &msg, err, sizeof err);
        if (code != SEGUE_OK) {
            snprintf(why, sizeof why, "decode gave %s (%s)", segue_code_name(code), err);
            result(0, e->d_name, why);
        } else {
            result(reencodes_to(&msg, &f, why, sizeof why), e->d_name, why);
        }
        valid++;
        frames_file_free(&f);
    }
    closedir(d);

    char line[1024];
    snprintf(path, sizeof path, "%s/invalid/expected.txt", dir);
    FILE *idx = fopen(path, "r");
    if (!idx) result(0, "invalid/expected.txt", "unreadable");
    while (idx && fgets(line, sizeof line, idx)) {
        char file[512], want[64], field[256] = "";
        if (line[0] == '#' || sscanf(line, "%511s %63s %255s", file, want, field) < 2) continue;
        frames_file_t f;
        snprintf(path, sizeof path, "%s/invalid/%s", dir, file);
        if (frames_file_read(path, &f) != 0) {
            result(0, file, "unreadable");
            continue;
        }
        segue_code_t code = segue_decode(f.frame, f.count, &msg, err, sizeof err);
        snprintf(why, sizeof why, "got %s (%s), want %s %s", segue_code_name(code), err, want, field);
        result(strcmp(segue_code_name(code), want) == 0, file, why);
        invalid++;
        frames_file_free(&f);
    }
    if (idx) fclose(idx);

    snprintf(path, sizeof path, "%s/lenient/expected.txt", dir);
    idx = fopen(path, "r");
    if (!idx) result(0, "lenient/expected.txt", "unreadable");
    while (idx && fgets(line, sizeof line, idx)) {
        char file[512], canonical[512];
        if (line[0] == '#' || sscanf(line, "%511s %511s", file, canonical) != 2) continue;
        frames_file_t f, want;
        snprintf(path, sizeof path, "%s/lenient/%s", dir, file);
        int r1 = frames_file_read(path, &f);
        snprintf(path, sizeof path, "%s/%s", dir, canonical);
        int r2 = frames_file_read(path, &want);
        if (r1 || r2) {
            result(0, file, "unreadable");
        } else {
            segue_code_t code = segue_decode(f.frame, f.count, &msg, err, sizeof err);
            if (code != SEGUE_OK) {
                snprintf(why, sizeof why, "decode gave %s (%s)", segue_code_name(code), err);
                result(0, file, why);
            } else {
                result(reencodes_to(&msg, &want, why, sizeof why), file, why);
            }
        }
        lenient++;
        if (!r1) frames_file_free(&f);
        if (!r2) frames_file_free(&want);
    }
    if (idx) fclose(idx);
    printf("codec vectors: %d valid, %d invalid, %d lenient; %d passed, %d failed\n", valid, invalid, lenient, passed, failed);
    return failed == 0 && valid > 20 && invalid > 50 && lenient > 5 ? 0 : 1;
}
