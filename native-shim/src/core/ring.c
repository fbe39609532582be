#include "ring.h"

#include <stdlib.h>
#include <string.h>

int segue_ring_init(segue_ring_t *ring, uint64_t capacity_frames) {
    ring->samples = calloc((size_t)capacity_frames * 2u, sizeof(float));
    ring->capacity = ring->samples ? capacity_frames : 0;
    atomic_store(&ring->written, 0);
    return ring->samples ? 0 : -1;
}

void segue_ring_free(segue_ring_t *ring) {
    free(ring->samples);
    ring->samples = NULL;
    ring->capacity = 0;
    atomic_store(&ring->written, 0);
}

void segue_ring_write(segue_ring_t *ring, const float *left, const float *right, uint32_t n) {
    if (!ring->samples) return;
    uint64_t w = atomic_load_explicit(&ring->written, memory_order_relaxed);
    uint64_t slot = w % ring->capacity;
    for (uint32_t i = 0; i < n; i++) {
        ring->samples[2 * slot] = left[i];
        ring->samples[2 * slot + 1] = right[i];
        if (++slot == ring->capacity) slot = 0;
    }
    atomic_store_explicit(&ring->written, w + n, memory_order_release);
}

int segue_ring_copy(const segue_ring_t *ring, uint64_t from, uint64_t to, float *out) {
    if (!ring->samples || to < from) return -1;
    uint64_t w = atomic_load_explicit(&ring->written, memory_order_acquire);
    if (to > w || w - from > ring->capacity) return -1;
    uint64_t slot = from % ring->capacity;
    for (uint64_t c = from; c < to;) {
        uint64_t run = ring->capacity - slot;
        if (run > to - c) run = to - c;
        memcpy(out + 2 * (c - from), ring->samples + 2 * slot, (size_t)run * 2u * sizeof(float));
        c += run;
        slot = 0;
    }
    /* The writer may have lapped us while we copied: then part of out is newer audio. */
    atomic_thread_fence(memory_order_acquire);
    uint64_t after = atomic_load_explicit(&ring->written, memory_order_relaxed);
    return after - from > ring->capacity ? -1 : 0;
}
