/* test_file_uri: a stem's path as the file:// URI the window's drag offers (text/uri-list): unreserved
 * characters and '/' kept, everything else percent-encoded byte by byte (space, '%', '#', UTF-8), relative
 * paths refused, and the output never longer than its buffer. */
#include <string.h>
#include "check.h"
#include "file_uri.h"

int main(void) {
    char out[256];
    CHECK(segue_file_uri(out, sizeof out, "/home/me/Segue/stems/track_bar003_240bpm_take2.wav") ==
          (long)strlen("file:///home/me/Segue/stems/track_bar003_240bpm_take2.wav"));
    CHECK(strcmp(out, "file:///home/me/Segue/stems/track_bar003_240bpm_take2.wav") == 0);

    CHECK(segue_file_uri(out, sizeof out, "/a b/100%#?x~y.wav") > 0);
    CHECK(strcmp(out, "file:///a%20b/100%25%23%3Fx~y.wav") == 0);

    /* a UTF-8 name: each byte of "é" (C3 A9) on its own */
    CHECK(segue_file_uri(out, sizeof out, "/st\xc3\xa9m.wav") > 0);
    CHECK(strcmp(out, "file:///st%C3%A9m.wav") == 0);

    /* relative or missing paths are refused */
    CHECK(segue_file_uri(out, sizeof out, "stems/x.wav") == -1 && out[0] == '\0');
    CHECK(segue_file_uri(out, sizeof out, "") == -1);
    CHECK(segue_file_uri(out, sizeof out, NULL) == -1);

    /* bounded: exactly fits, one byte short refused, and an escape is never cut in half */
    const char *path = "/ab";
    CHECK(segue_file_uri(out, 11, path) == 10); /* "file:///ab" + NUL */
    CHECK(segue_file_uri(out, 10, path) == -1 && out[0] == '\0');
    CHECK(segue_file_uri(out, 11, "/a ") == -1); /* "file:///a%20" needs 13 */
    CHECK(segue_file_uri(out, 13, "/a ") == 12 && strcmp(out, "file:///a%20") == 0);
    CHECK(segue_file_uri(out, 0, path) == -1);
    return CHECK_DONE("test_file_uri");
}
