#include "takes.h"

#include <stdlib.h>
#include <string.h>

segue_takeset_t *segue_takeset_new(int64_t start_frame, uint32_t rate, uint64_t total_frames, uint32_t n_takes) {
    if (n_takes < 1 || n_takes > SEGUE_MAX_TAKES || total_frames < 1) return NULL;
    segue_takeset_t *set = calloc(1, sizeof *set);
    if (!set) return NULL;
    set->start_frame = start_frame;
    set->rate = rate;
    set->total_frames = total_frames;
    set->n_takes = n_takes;
    return set;
}

void segue_takeset_free(segue_takeset_t *set) {
    if (!set) return;
    for (uint32_t k = 0; k < SEGUE_MAX_TAKES; k++) {
        free(atomic_load(&set->take[k].preview));
        free(atomic_load(&set->take[k].final));
    }
    free(set);
}

static float le_float(const uint8_t *b) {
    uint32_t bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

int segue_takeset_write(segue_takeset_t *set, uint32_t k, int final, uint64_t offset, uint64_t frames,
                        uint32_t channels, const uint8_t *le_samples) {
    if (k >= set->n_takes || (channels != 1 && channels != 2) || offset > set->total_frames ||
        frames > set->total_frames - offset)
        return -1;
    segue_take_t *t = &set->take[k];
    _Atomic(float *) *slot = final ? &t->final : &t->preview;
    _Atomic uint64_t *covered = final ? &t->final_covered : &t->preview_covered;
    float *buf = atomic_load(slot);
    if (!buf) {
        buf = calloc((size_t)set->total_frames * 2u, sizeof(float));
        if (!buf) return -1;
        atomic_store_explicit(slot, buf, memory_order_release);
    }
    if (final) t->channels = channels;
    uint64_t done = atomic_load_explicit(covered, memory_order_relaxed);
    /* Forward only: the audio thread may be reading below `done`. A gap stays silent. */
    uint64_t from = offset > done ? offset : done;
    for (uint64_t f = from; f < offset + frames; f++) {
        const uint8_t *src = le_samples + 4u * channels * (f - offset);
        float l = le_float(src);
        buf[2 * f] = l;
        buf[2 * f + 1] = channels == 2 ? le_float(src + 4) : l;
    }
    if (offset + frames > done) atomic_store_explicit(covered, offset + frames, memory_order_release);
    return 0;
}
