package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AttentionPatternTest {
    private static final int WINDOW = 64;
    private static final int BLOCK_CTX = 8;

    @Test
    void attnOrderTwoCyclesRowColumnPreviousBlock() {
        AttentionPattern[] cycle = {
            AttentionPattern.BLOCK, AttentionPattern.TRANSPOSE_BLOCK, AttentionPattern.PREVIOUS_BLOCK
        };
        for (int layer = 0; layer < 72; layer++) {
            assertEquals(cycle[layer % 3], AttentionPattern.forLayer(2, layer), "layer " + layer);
        }
    }

    @Test
    void otherSupportedOrders() {
        for (int layer = 0; layer < 8; layer++) {
            assertEquals(AttentionPattern.DENSE, AttentionPattern.forLayer(0, layer));
            assertEquals(layer % 2 == 0 ? AttentionPattern.BLOCK : AttentionPattern.TRANSPOSE_BLOCK,
                    AttentionPattern.forLayer(1, layer));
        }
        // attn_order 9: row, column, previous block, dense.
        assertEquals(AttentionPattern.DENSE, AttentionPattern.forLayer(9, 3));
        assertEquals(AttentionPattern.PREVIOUS_BLOCK, AttentionPattern.forLayer(9, 6));
    }

    @Test
    void referenceIdsAreTheReferenceAttnFuncNumbers() {
        assertEquals(0, AttentionPattern.DENSE.referenceId());
        assertEquals(1, AttentionPattern.BLOCK.referenceId());
        assertEquals(2, AttentionPattern.TRANSPOSE_BLOCK.referenceId());
        assertEquals(3, AttentionPattern.PREVIOUS_BLOCK.referenceId());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 13, 99})
    void unsupportedOrdersAreConfigErrors(int order) {
        ConfigException e = assertThrows(ConfigException.class, () -> AttentionPattern.forLayer(order, 0));
        assertTrue(e.getMessage().contains("attn_order " + order), e.getMessage());
    }

    /** Layers whose reference attention type (4 and up: summary, enc-dec, lyrics) this engine lacks. */
    @ParameterizedTest
    @CsvSource({"3, 1", "4, 1", "5, 1", "6, 3", "7, 15", "8, 9", "11, 15", "12, 15"})
    void unsupportedAttentionTypesAreConfigErrors(int order, int layer) {
        ConfigException e = assertThrows(ConfigException.class, () -> AttentionPattern.forLayer(order, layer));
        assertTrue(e.getMessage().contains("attn_order " + order), e.getMessage());
        assertTrue(e.getMessage().contains("layer " + layer), e.getMessage());
    }

    @Test
    void lyricsOrdersPlaceTheirLyricsLayersAsTheReference() {
        // attn_order 12 (single_enc_dec): d % 16 == 15 is [7, 7, 0][d % 3], the rest row/column/previous-row.
        assertEquals(AttentionPattern.LYRICS_TYPE, AttentionPattern.referenceType(12, 15));
        assertEquals(AttentionPattern.LYRICS_TYPE, AttentionPattern.referenceType(12, 31));
        assertEquals(0, AttentionPattern.referenceType(12, 47));
        assertEquals(3, AttentionPattern.referenceType(12, 14));
        // attn_order 8 (sep_enc_dec): a type 6 every 10th layer.
        for (int d = 0; d < 30; d++) {
            assertEquals(d % 10 == 9 ? AttentionPattern.ENCODER_DECODER_TYPE : 1 + d % 10 % 3,
                    AttentionPattern.referenceType(8, d), "layer " + d);
        }
        // attn_order 10 (the large sep_enc_dec): 9 plain layers, then a type 6 every 10th, in a 79-layer cycle.
        int[] cycle = new int[79];
        for (int i = 0; i < 79; i++) {
            cycle[i] = i < 9 ? 1 + i % 3 : (i - 9) % 10 == 9 ? 6 : 1 + (i - 9) % 10 % 3;
        }
        assertEquals(7, java.util.Arrays.stream(cycle).filter(t -> t == 6).count());
        for (int d = 0; d < 158; d++) {
            assertEquals(cycle[d % 79], AttentionPattern.referenceType(10, d), "layer " + d);
        }
        assertEquals(6, AttentionPattern.referenceType(10, 18));
        assertEquals(6, AttentionPattern.referenceType(10, 78));
    }

    @Test
    void supportedLayersOfMixedOrdersStillResolve() {
        // The same orders are usable at the layers that only need row/column/previous-block attention.
        assertEquals(AttentionPattern.BLOCK, AttentionPattern.forLayer(3, 0));
        assertEquals(AttentionPattern.PREVIOUS_BLOCK, AttentionPattern.forLayer(6, 2));
        assertEquals(AttentionPattern.TRANSPOSE_BLOCK, AttentionPattern.forLayer(7, 13));
    }

    @ParameterizedTest
    @EnumSource(AttentionPattern.class)
    void stepKeysEnumerateExactlyTheAllowedKeys(AttentionPattern pattern) {
        for (int q = 0; q < WINDOW; q++) {
            TreeSet<Integer> allowed = new TreeSet<>();
            for (int k = 0; k < WINDOW; k++) {
                if (pattern.allows(q, k, BLOCK_CTX)) {
                    allowed.add(k);
                }
            }
            int[] range = pattern.stepKeys(q, BLOCK_CTX);
            if (range == null) {
                assertEquals(AttentionPattern.PREVIOUS_BLOCK, pattern, "only previous-block may see nothing, q=" + q);
                assertTrue(q < BLOCK_CTX, "previous-block sees nothing only in the first block, q=" + q);
                assertTrue(allowed.isEmpty(), "q=" + q + " allows " + allowed);
                continue;
            }
            assertEquals(3, range.length);
            assertTrue(range[2] >= 1, "step " + range[2]);
            assertTrue(range[0] >= 0 && range[1] <= q + 1, pattern + " q=" + q + ": keys must already be cached");
            List<Integer> enumerated = new ArrayList<>();
            for (int k = range[0]; k < range[1]; k += range[2]) {
                enumerated.add(k);
            }
            assertEquals(new ArrayList<>(allowed), enumerated, pattern + " q=" + q);
        }
    }

    @Test
    void previousBlockSeesNothingInTheFirstBlockOnly() {
        for (int q = 0; q < WINDOW; q++) {
            int[] range = AttentionPattern.PREVIOUS_BLOCK.stepKeys(q, BLOCK_CTX);
            if (q < BLOCK_CTX) {
                assertNull(range, "q=" + q);
            } else {
                assertNotNull(range, "q=" + q);
                assertEquals(BLOCK_CTX, range[1] - range[0], "a whole block, q=" + q);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionPattern.class)
    void everyPatternIsCausalExceptNothing(AttentionPattern pattern) {
        for (int q = 0; q < WINDOW; q++) {
            for (int k = q + 1; k < WINDOW; k++) {
                assertTrue(!pattern.allows(q, k, BLOCK_CTX), pattern + " lets " + q + " see the future " + k);
            }
            if (pattern != AttentionPattern.PREVIOUS_BLOCK) {
                assertTrue(pattern.allows(q, q, BLOCK_CTX), pattern + " must let " + q + " see itself");
            }
        }
    }

    /** A chunk [start, end) reads the cache from firstKey: no key any of its queries needs may lie before it. */
    @ParameterizedTest
    @EnumSource(AttentionPattern.class)
    void firstKeyNeverCutsOffAnAllowedKey(AttentionPattern pattern) {
        for (int start = 0; start < WINDOW; start++) {
            int first = pattern.firstKey(start, BLOCK_CTX);
            assertTrue(first >= 0 && first <= start, pattern + " start=" + start + " first=" + first);
            for (int q = start; q < WINDOW; q++) {
                for (int k = 0; k < first; k++) {
                    assertTrue(!pattern.allows(q, k, BLOCK_CTX),
                            pattern + " chunk at " + start + " skips key " + k + " that query " + q + " needs");
                }
            }
        }
    }
}
