/*
 * takes.h: the takes of one generation, as the audio thread plays them.
 *
 * The client thread allocates a take set per job and fills it as previews and results stream in; the audio
 * thread reads it. Nothing is ever overwritten where the audio thread may read: each take has a
 * preview buffer and a final buffer, each filled strictly forward, and a "covered" count published
 * (release) after the samples below it are written. Playback prefers final audio, then preview.
 * Buffers are stereo interleaved whatever the daemon sends (mono is copied to both sides).
 *
 * Freeing: the audio thread announces the set it is reading (segue_takes_hazard); the client thread frees a
 * retired set only when the audio thread no longer announces it.
 */
#ifndef SEGUE_TAKES_H
#define SEGUE_TAKES_H

#include <stdatomic.h>
#include <stdint.h>

#define SEGUE_MAX_TAKES 16

typedef struct {
    _Atomic(float *) preview, final;
    _Atomic uint64_t preview_covered, final_covered;
    /* client thread only */
    uint32_t channels;  /* what the daemon sent for this take (1 or 2): the stem's channel count */
    uint64_t seed;
} segue_take_t;

typedef struct segue_takeset {
    int64_t start_frame;   /* timeline sample of the takes' first frame */
    uint32_t rate;
    uint64_t total_frames;
    uint32_t n_takes;
    segue_take_t take[SEGUE_MAX_TAKES];
} segue_takeset_t;

/* Client thread: a set with no audio yet. */
segue_takeset_t *segue_takeset_new(int64_t start_frame, uint32_t rate, uint64_t total_frames, uint32_t n_takes);
void segue_takeset_free(segue_takeset_t *set);

/* Client thread: writes frames [offset, offset + frames) of take k from interleaved float32 LE bytes with
 * `channels` channels, into its preview or final buffer. Only audio past what is covered is written.
 * Returns 0, or -1 (bad take, out of range, out of memory). */
int segue_takeset_write(segue_takeset_t *set, uint32_t k, int final, uint64_t offset, uint64_t frames,
                        uint32_t channels, const uint8_t *le_samples);

/* Audio thread: the stereo frame of take k at `pos` (frames from the set's start); 0 when nothing
 * has arrived there yet. */
static inline int segue_takeset_frame(const segue_takeset_t *set, uint32_t k, uint64_t pos, float *l, float *r) {
    const segue_take_t *t = &set->take[k];
    if (pos < atomic_load_explicit(&t->final_covered, memory_order_acquire)) {
        const float *a = atomic_load_explicit(&t->final, memory_order_relaxed);
        *l = a[2 * pos];
        *r = a[2 * pos + 1];
        return 1;
    }
    if (pos < atomic_load_explicit(&t->preview_covered, memory_order_acquire)) {
        const float *a = atomic_load_explicit(&t->preview, memory_order_relaxed);
        *l = a[2 * pos];
        *r = a[2 * pos + 1];
        return 1;
    }
    return 0;
}

#endif
