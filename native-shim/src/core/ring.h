/*
 * ring.h: the capture ring. The audio thread appends the input (stereo, interleaved) while the
 * transport plays; the client thread copies a prime out of it. One writer, one reader, no lock.
 *
 * Positions are "ring counts": frames written since the ring was (re)started, a 64-bit count that
 * never wraps in practice. Frame count c lives at slot c % capacity. The reader checks after copying
 * that the writer has not lapped the copied range, so a slow reader gets an error, never torn audio.
 */
#ifndef SEGUE_RING_H
#define SEGUE_RING_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    float *samples;              /* capacity * 2 floats, allocated at activate */
    uint64_t capacity;           /* frames */
    _Atomic uint64_t written;    /* frames written so far (release-stored by the audio thread) */
} segue_ring_t;

/* Control thread (activate): allocates; 0 on success. Not on the audio thread. */
int segue_ring_init(segue_ring_t *ring, uint64_t capacity_frames);
void segue_ring_free(segue_ring_t *ring);

/* Audio thread: appends n frames from two channel buffers (right may equal left for mono input). */
void segue_ring_write(segue_ring_t *ring, const float *left, const float *right, uint32_t n);

/* Client thread: copies frames [from, to) (ring counts) interleaved into out. Returns 0, or -1 when
 * the range is not (or no longer) in the ring: not yet written, or already overwritten. */
int segue_ring_copy(const segue_ring_t *ring, uint64_t from, uint64_t to, float *out);

#endif
