/* test_song_text: lyrics, artist and genre as the plugin keeps them: the protocol's bounds (4096 / 128
 * bytes, strict UTF-8, empty = not sent), a refused value leaves the previous one in place and says why
 * in the status line, and an accepted one reads back byte for byte. No daemon (test_submit_texts sends them). */
#include <string.h>
#include "check.h"
#include "segue_core.h"

static void fill(char *buf, size_t n, char c) {
    memset(buf, c, n);
    buf[n] = '\0';
}

int main(void) {
    static char big[8192], got[8192];
    char status[256];

    /* the bounds, straight */
    fill(big, 4096, 'a');
    CHECK(segue_text_check(SEGUE_TEXT_LYRICS, big, NULL, 0) == 0);
    fill(big, 4097, 'a');
    CHECK(segue_text_check(SEGUE_TEXT_LYRICS, big, status, sizeof status) == -1);
    CHECK(strstr(status, "lyrics") != NULL && strstr(status, "4096") != NULL);
    fill(big, 128, 'x');
    CHECK(segue_text_check(SEGUE_TEXT_ARTIST, big, NULL, 0) == 0);
    CHECK(segue_text_check(SEGUE_TEXT_GENRE, big, NULL, 0) == 0);
    fill(big, 129, 'x');
    CHECK(segue_text_check(SEGUE_TEXT_ARTIST, big, NULL, 0) == -1);
    CHECK(segue_text_check(SEGUE_TEXT_GENRE, big, NULL, 0) == -1);
    CHECK(segue_text_check(SEGUE_TEXT_LYRICS, big, NULL, 0) == 0); /* 129 bytes are fine for lyrics */
    /* bytes, not characters: 64 two-byte characters are 128 bytes, 65 are over */
    big[0] = '\0';
    for (int i = 0; i < 64; i++) strcat(big, "\xc3\xa9"); /* é */
    CHECK(segue_text_check(SEGUE_TEXT_ARTIST, big, NULL, 0) == 0);
    strcat(big, "\xc3\xa9");
    CHECK(segue_text_check(SEGUE_TEXT_ARTIST, big, NULL, 0) == -1);
    /* strict UTF-8: what the decoder refuses, the plugin refuses */
    static const char *const bad[] = {
        "\xff",                 /* never in UTF-8 (and DPF's VST3/CLAP chunk separator) */
        "ab\xc3",               /* truncated sequence */
        "\xc3\x28",             /* bad continuation */
        "\xc0\xaf",             /* overlong '/' */
        "\xed\xa0\x80",         /* a surrogate */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(segue_text_check(SEGUE_TEXT_LYRICS, bad[i], status, sizeof status) == -1);
        CHECK(strstr(status, "UTF-8") != NULL);
        CHECK(segue_text_check(SEGUE_TEXT_GENRE, bad[i], NULL, 0) == -1);
    }
    CHECK(segue_text_check(SEGUE_TEXT_LYRICS, "la la\nthe night 日本 \xf0\x9f\x8e\xb5", NULL, 0) == 0);
    CHECK(segue_text_check(SEGUE_TEXT_ARTIST, "", NULL, 0) == 0); /* empty: not sent */
    CHECK(segue_text_check(SEGUE_TEXT_ARTIST, NULL, NULL, 0) == 0);
    CHECK(segue_text_check(SEGUE_TEXT_COUNT, "x", NULL, 0) == -1);
    CHECK(strcmp(segue_text_key(SEGUE_TEXT_LYRICS), "lyrics") == 0);
    CHECK(strcmp(segue_text_key(SEGUE_TEXT_ARTIST), "artist") == 0);
    CHECK(strcmp(segue_text_key(SEGUE_TEXT_GENRE), "genre") == 0);
    CHECK(segue_text_key(SEGUE_TEXT_COUNT) == NULL);

    /* through the core (no activate: the state is set before the host starts the plugin) */
    segue_config_t cfg = {"tcp://127.0.0.1:1", "/tmp", "trk"};
    segue_core_t *e = segue_core_create(&cfg);
    CHECK(e != NULL);
    for (int t = 0; t < SEGUE_TEXT_COUNT; t++) {
        segue_core_get_text(e, (segue_text_t)t, got, sizeof got);
        CHECK(got[0] == '\0'); /* nothing until set */
    }
    fill(big, 4096, 'l');
    CHECK(segue_core_set_text(e, SEGUE_TEXT_LYRICS, big) == 0);
    segue_core_get_text(e, SEGUE_TEXT_LYRICS, got, sizeof got);
    CHECK(strcmp(got, big) == 0);
    CHECK(segue_core_set_text(e, SEGUE_TEXT_ARTIST, "Björk") == 0);
    CHECK(segue_core_set_text(e, SEGUE_TEXT_ARTIST, "Bj\xf6rk") == -1); /* Latin-1, not UTF-8 */
    segue_core_get_text(e, SEGUE_TEXT_ARTIST, got, sizeof got);
    CHECK(strcmp(got, "Björk") == 0); /* the refused value did not replace it */
    segue_core_status_text(e, status, sizeof status);
    CHECK(strstr(status, "artist: not valid UTF-8") != NULL);
    fill(big, 4097, 'l');
    CHECK(segue_core_set_text(e, SEGUE_TEXT_LYRICS, big) == -1);
    segue_core_get_text(e, SEGUE_TEXT_LYRICS, got, sizeof got);
    CHECK(strlen(got) == 4096);
    CHECK(segue_core_set_text(e, SEGUE_TEXT_GENRE, "jazz") == 0);
    CHECK(segue_core_set_text(e, SEGUE_TEXT_LYRICS, "") == 0); /* cleared */
    segue_core_get_text(e, SEGUE_TEXT_LYRICS, got, sizeof got);
    CHECK(got[0] == '\0');
    segue_core_get_text(e, SEGUE_TEXT_GENRE, got, 3); /* a short buffer gets a terminated prefix */
    CHECK(strcmp(got, "ja") == 0);
    segue_core_get_text(e, SEGUE_TEXT_COUNT, got, sizeof got);
    CHECK(got[0] == '\0');
    segue_core_destroy(e);
    return CHECK_DONE("test_song_text");
}
