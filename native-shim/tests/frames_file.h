/* frames_file.h: reads a golden-vector container (protocol/vectors/README.md) into memory. Tests only. */
#ifndef SEGUE_FRAMES_FILE_H
#define SEGUE_FRAMES_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"

#define FRAMES_FILE_MAX 8

typedef struct {
    size_t count;
    segue_frame_t frame[FRAMES_FILE_MAX];
} frames_file_t;

static inline void frames_file_free(frames_file_t *f) {
    for (size_t i = 0; i < f->count; i++) free((void *)f->frame[i].data);
    f->count = 0;
}

/* [u32 little-endian length][bytes]... until the end of the file; 0 on success. */
static inline int frames_file_read(const char *path, frames_file_t *f) {
    FILE *in = fopen(path, "rb");
    f->count = 0;
    if (!in) return -1;
    unsigned char le[4];
    while (fread(le, 1, 4, in) == 4) {
        uint32_t n = (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
        uint8_t *data = malloc(n ? n : 1);
        if (f->count == FRAMES_FILE_MAX || n > (16u << 20) || !data || fread(data, 1, n, in) != n) {
            free(data);
            fclose(in);
            frames_file_free(f);
            return -1;
        }
        f->frame[f->count].data = data;
        f->frame[f->count].size = n;
        f->count++;
    }
    fclose(in);
    return 0;
}

#endif
