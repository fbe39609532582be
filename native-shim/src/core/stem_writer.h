/*
 * stem_writer.h: takes as 24-bit PCM WAV files, and back (project reload).
 *
 * Name: <track>_bar<NNN>_<BPM>bpm_take<K>.wav; NNN is the 1-based bar where the stem starts (3 digits
 * or more), BPM the tempo with up to two decimals and no trailing zeros, K the 1-based take. Files
 * are written to "<name>.part" and renamed into place, so a DAW never imports half a stem.
 * Client thread only.
 */
#ifndef SEGUE_STEM_WRITER_H
#define SEGUE_STEM_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* Formats the stem file name (no folder) into out; 0 on success. */
int segue_stem_name(char *out, size_t cap, const char *track, int64_t bar_1based, double bpm, uint32_t take_1based);

/* Writes frames of interleaved stereo float audio as a WAV with `channels` (1: the left side only,
 * 2: both). Samples are clipped to [-1, 1] and rounded to 24 bits. 0 on success. */
int segue_stem_write(const char *path, const float *stereo, uint64_t frames, uint32_t channels, uint32_t rate);

/* Where a stem belongs, written next to it as "<stem without .wav>.segue" (text, one "key value" per line)
 * so a DAW script can place it without the project's tempo map: the exact timeline sample of its first
 * frame, the rate, length, 1-based bar, tempo and meter, take and job. Written to ".part" and renamed. */
typedef struct {
    int64_t start_sample;
    uint32_t rate;
    uint64_t frames;
    int64_t bar_1based;
    double bpm;
    int num, den;
    uint32_t take_1based;
    const char *job;
} segue_stem_place_t;

/* The sidecar's path for a stem path (".wav" replaced by ".segue"); 0 on success. */
int segue_stem_sidecar_path(char *out, size_t cap, const char *stem_path);
int segue_stem_write_sidecar(const char *stem_path, const segue_stem_place_t *place);

/* Reads a 24-bit PCM WAV written by segue_stem_write into a malloc'ed stereo interleaved buffer.
 * 0 on success; fills *frames, *channels, *rate. */
int segue_stem_read(const char *path, float **stereo, uint64_t *frames, uint32_t *channels, uint32_t *rate);

#endif
