/* test_takes: take buffers filled by chunks (results arrive in pieces, previews early), read back as the
 * audio thread reads them: final audio first, then preview, nothing where nothing arrived. */
#include <string.h>
#include "check.h"
#include "takes.h"

static void le(float f, uint8_t *out) {
    uint32_t b;
    memcpy(&b, &f, 4);
    out[0] = (uint8_t)b; out[1] = (uint8_t)(b >> 8); out[2] = (uint8_t)(b >> 16); out[3] = (uint8_t)(b >> 24);
}

int main(void) {
    segue_takeset_t *set = segue_takeset_new(1000, 48000, 100, 2);
    CHECK(set != NULL);
    uint8_t buf[2 * 4 * 100];
    float l, r;
    CHECK(!segue_takeset_frame(set, 0, 0, &l, &r));
    /* a mono preview of frames 0..39 of take 0 */
    for (int i = 0; i < 40; i++) le(0.5f, buf + 4 * i);
    CHECK(segue_takeset_write(set, 0, 0, 0, 40, 1, buf) == 0);
    CHECK(segue_takeset_frame(set, 0, 39, &l, &r) && l == 0.5f && r == 0.5f);
    CHECK(!segue_takeset_frame(set, 0, 40, &l, &r));
    /* the final result in two stereo chunks: 0..59 then 60..99 */
    for (int i = 0; i < 60; i++) { le((float)i, buf + 8 * i); le(-(float)i, buf + 8 * i + 4); }
    CHECK(segue_takeset_write(set, 0, 1, 0, 60, 2, buf) == 0);
    CHECK(segue_takeset_frame(set, 0, 10, &l, &r) && l == 10.0f && r == -10.0f); /* final beats preview */
    CHECK(!segue_takeset_frame(set, 0, 60, &l, &r));
    for (int i = 0; i < 40; i++) { le((float)(60 + i), buf + 8 * i); le(0.0f, buf + 8 * i + 4); }
    CHECK(segue_takeset_write(set, 0, 1, 60, 40, 2, buf) == 0);
    CHECK(segue_takeset_frame(set, 0, 99, &l, &r) && l == 99.0f);
    CHECK(atomic_load(&set->take[0].final_covered) == 100 && set->take[0].channels == 2);
    /* bounds: past the end, a take that does not exist, three channels */
    CHECK(segue_takeset_write(set, 0, 1, 90, 20, 2, buf) == -1);
    CHECK(segue_takeset_write(set, 2, 1, 0, 1, 2, buf) == -1);
    CHECK(segue_takeset_write(set, 1, 1, 0, 1, 3, buf) == -1);
    /* take 1 untouched */
    CHECK(!segue_takeset_frame(set, 1, 0, &l, &r));
    segue_takeset_free(set);
    CHECK(segue_takeset_new(0, 48000, 0, 1) == NULL && segue_takeset_new(0, 48000, 10, 17) == NULL);
    return CHECK_DONE("test_takes");
}
