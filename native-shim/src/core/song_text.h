/*
 * song_text.h: the submit request's optional song texts (lyrics, artist, genre) as the plugin holds
 * them: their state keys, their bounds, and the check a value passes before the core keeps it.
 * The bounds are PROTOCOL.md's (section 5.1 `request`, section 6): a value the plugin keeps is one the
 * protocol accepts, so a refusal can only come from the daemon's own knowledge (names it does not
 * know, characters outside a prior's lyrics vocabulary), never from the format.
 */
#ifndef SEGUE_SONG_TEXT_H
#define SEGUE_SONG_TEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SEGUE_TEXT_LYRICS = 0, /* 0..4096 bytes of UTF-8 */
    SEGUE_TEXT_ARTIST,     /* a name: 1..128 bytes of UTF-8 */
    SEGUE_TEXT_GENRE,      /* a name: 1..128 bytes of UTF-8 */
    SEGUE_TEXT_COUNT
} segue_text_t;

#define SEGUE_LYRICS_MAX_BYTES 4096
#define SEGUE_NAME_MAX_BYTES 128

/* The plugin state key of each text ("lyrics", "artist", "genre"); NULL past the last. */
const char *segue_text_key(segue_text_t which);

/* Most bytes a value may have (without the terminating NUL). */
size_t segue_text_max_bytes(segue_text_t which);

/* 0 when `value` may be kept: strict UTF-8 and within the bound. Empty means "not sent" and is always
 * accepted. Otherwise -1, and `why` (if given) says what is wrong, naming the key. Any thread but audio. */
int segue_text_check(segue_text_t which, const char *value, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
