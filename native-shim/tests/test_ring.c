/* test_ring: the capture ring keeps the newest audio, copies across the wrap, refuses lapped ranges. */
#include <stdlib.h>
#include "check.h"
#include "ring.h"

int main(void) {
    segue_ring_t ring;
    CHECK(segue_ring_init(&ring, 1000) == 0);
    float l[300], r[300], out[2 * 1000];
    uint64_t n = 0;
    for (int block = 0; block < 10; block++) { /* 3000 frames through a 1000-frame ring */
        for (int i = 0; i < 300; i++, n++) { l[i] = (float)n; r[i] = -(float)n; }
        segue_ring_write(&ring, l, r, 300);
    }
    CHECK(atomic_load(&ring.written) == 3000);
    CHECK(segue_ring_copy(&ring, 2100, 3000, out) == 0); /* crosses the wrap at 3000 % 1000 */
    int exact = 1;
    for (int i = 0; i < 900; i++) exact &= out[2 * i] == (float)(2100 + i) && out[2 * i + 1] == -(float)(2100 + i);
    CHECK(exact);
    CHECK(segue_ring_copy(&ring, 1999, 3000, out) == -1); /* 1001 frames back: overwritten */
    CHECK(segue_ring_copy(&ring, 2000, 3000, out) == 0);  /* exactly the capacity */
    CHECK(segue_ring_copy(&ring, 2900, 3001, out) == -1); /* not written yet */
    segue_ring_free(&ring);
    return CHECK_DONE("test_ring");
}
