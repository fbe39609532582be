/* song_text.c: the bounds of the plugin's lyrics, artist and genre (see song_text.h). */
#include "song_text.h"

#include <stdio.h>
#include <string.h>

#include "codec.h"

static const char *const KEYS[SEGUE_TEXT_COUNT] = {"lyrics", "artist", "genre"};

const char *segue_text_key(segue_text_t which) {
    return (unsigned)which < SEGUE_TEXT_COUNT ? KEYS[which] : NULL;
}

size_t segue_text_max_bytes(segue_text_t which) {
    return which == SEGUE_TEXT_LYRICS ? SEGUE_LYRICS_MAX_BYTES : SEGUE_NAME_MAX_BYTES;
}

int segue_text_check(segue_text_t which, const char *value, char *why, size_t why_cap) {
    char scratch[1];
    if (!why || !why_cap) {
        why = scratch;
        why_cap = sizeof scratch;
    }
    if ((unsigned)which >= SEGUE_TEXT_COUNT) {
        snprintf(why, why_cap, "no such text %d", (int)which);
        return -1;
    }
    if (!value || !*value) return 0;
    /* strnlen: a value far past the bound is not walked to its end */
    size_t max = segue_text_max_bytes(which), n = strnlen(value, max + 1);
    if (n > max) {
        snprintf(why, why_cap, "%s: over %zu bytes, the protocol's bound", KEYS[which], max);
        return -1;
    }
    if (!segue_utf8_valid(value, n)) {
        snprintf(why, why_cap, "%s: not valid UTF-8", KEYS[which]);
        return -1;
    }
    return 0;
}
