package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.nn.KvRows;
import dev.segue.engine.testing.CpuManager;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The step kernel's key/value cache holds only what each layer can read, and every read still finds
 * exactly the positions the layer's attention pattern allows. Each position's key is tagged with the
 * position and the sequence, so a wrong slot (a ring that wrapped wrongly, a column that grew wrongly, a
 * shift that moved the wrong block) shows up as a wrong set of positions.
 */
class StepCacheTest {
    private static final int BLOCK = 16;
    private static final int KEY_LIMIT = 40;
    private static final int ENCODER = 7;
    private static final int HEAD_DIM = 5;
    @RegisterExtension
    static final CpuManager root = new CpuManager();

    private static CpuStepKernel.Layer layer(AttentionPattern pattern, int keyLimit, int encoderLength) {
        return new CpuStepKernel.Layer(null, null, null, null, null, null, null, null, pattern, 1, BLOCK, 1f, keyLimit,
                encoderLength);
    }

    private static List<CpuStepKernel.Layer> layers() {
        List<CpuStepKernel.Layer> out = new ArrayList<>();
        for (AttentionPattern p : AttentionPattern.values()) {
            out.add(layer(p, Integer.MAX_VALUE, 0));
        }
        out.add(layer(AttentionPattern.DENSE, KEY_LIMIT, 0));
        out.add(layer(AttentionPattern.DENSE, Integer.MAX_VALUE, ENCODER));
        return out;
    }

    /**
     * Steps through a window (after a prefill of {@code prime} positions converted from a DJL-layout cache,
     * repeated for 3 candidates) and, at every position, reads each layer's keys: they must be the positions
     * the pattern allows, in order, from this candidate. With {@code shiftAt} > 0 the window moves by
     * {@code shiftBlocks} blocks there, and the reads go on in the moved window's positions.
     */
    @ParameterizedTest(name = "n_ctx {0}, prime {1}, {2}, shift {4} blocks at {3}")
    @CsvSource({"192,0,F32,0,0", "192,37,F16,0,0", "192,100,BF16,0,0", "190,21,F32,0,0", "192,20,F32,90,1",
            "192,50,F32,120,2", "192,0,F16,64,3"})
    void everyReadFindsExactlyTheAllowedPositions(int nCtx, int prime, DType format, int shiftAt, int shiftBlocks) {
        List<CpuStepKernel.Layer> layers = layers();
        if (shiftAt > 0) {
            layers = layers.subList(0, 4); // a lyrics window cannot move (tested below)
        }
        int candidates = 3;
        try (NDManager m = root.get().newSubManager()) {
            StepCache cache = new StepCache(m, layers, nCtx, candidates, HEAD_DIM, format);
            // The prefill, as DJL lays it out: one stored row, repeated for the candidates.
            // Row and previous-row layers hold only from the first key the next query can read (KvCache drops
            // the rest), a lyrics layer only its keys before the limit.
            for (int l = 0; l < layers.size(); l++) {
                CpuStepKernel.Layer layer = layers.get(l);
                boolean cross = layer.encoderLength() > 0;
                int base = cross ? 0 : layer.pattern().firstKey(prime, BLOCK);
                int slots = cross ? ENCODER : Math.min(prime, layer.keyLimit()) - base;
                if (slots == 0) {
                    continue;
                }
                float[] keys = new float[slots * HEAD_DIM];
                float[] values = new float[slots * HEAD_DIM];
                for (int j = 0; j < slots; j++) {
                    keys[j * HEAD_DIM] = base + j;
                    values[j * HEAD_DIM] = -1; // prefilled: the same for every candidate
                }
                cache.load(l, keys, values, 1, candidates, 1, slots, base, prime);
            }
            int offset = 0; // absolute position of the window's position 0
            float[] key = new float[HEAD_DIM];
            float[] value = new float[HEAD_DIM];
            for (int t = prime; t < nCtx; t++) {
                if (shiftAt > 0 && t == shiftAt && offset == 0) {
                    int by = shiftBlocks * BLOCK;
                    cache.shift(by);
                    offset += by;
                    t -= by;
                }
                for (int l = 0; l < layers.size(); l++) {
                    CpuStepKernel.Layer layer = layers.get(l);
                    boolean cross = layer.encoderLength() > 0;
                    if (!cross && cache.keeps(l, t)) {
                        cache.ensure(l, t);
                        for (int c = 0; c < candidates; c++) {
                            key[0] = offset + t;
                            value[0] = c;
                            cache.put(l, c, t, key, 0, value, 0);
                        }
                    }
                    int[] positions = cross ? new int[] {0, ENCODER, 1} : layer.pattern().stepKeys(t, BLOCK);
                    if (positions != null && positions[1] > layer.keyLimit()) {
                        positions[1] = layer.keyLimit();
                    }
                    TreeSet<Integer> expected = new TreeSet<>();
                    for (int j = 0; j < (cross ? ENCODER : t + 1); j++) {
                        if (cross || layer.pattern().allows(t, j, BLOCK) && j < layer.keyLimit()) {
                            expected.add(j);
                        }
                    }
                    for (int c = 0; c < candidates; c++) {
                        List<Integer> read = new ArrayList<>();
                        if (positions != null) {
                            int[] slots = cache.slotRange(l, positions);
                            for (int r = 0; r < slots[1]; r++) {
                                int at = cache.rowOffset(l, c, slots[0] + r * slots[2]);
                                float k = KvRows.get(format, cache.data(l), at, 0, HEAD_DIM);
                                float v = KvRows.get(format, cache.data(l), at + cache.valueOffset(), 0, HEAD_DIM);
                                assertTrue(v == -1 || v == c, "layer " + l + " at " + t + ": candidate " + c
                                        + " read candidate " + v + "'s key");
                                int absolute = (int) k;
                                read.add(absolute - offset);
                            }
                        }
                        assertEquals(new ArrayList<>(expected), read, "layer " + l + " (" + cache.kind(l) + ") at " + t
                                + ", candidate " + c);
                    }
                    assertTrue(cache.slots(l) <= cache.maxSlots(l), "layer " + l + " holds more than its share");
                }
            }
        }
    }

    @Test
    void layersHoldOnlyWhatTheirAttentionReads() {
        int nCtx = 192;
        try (NDManager m = root.get().newSubManager()) {
            StepCache cache = new StepCache(m, layers(), nCtx, 2, HEAD_DIM, DType.BF16);
            int[] expected = {nCtx, BLOCK, nCtx, 2 * BLOCK, KEY_LIMIT, ENCODER};
            for (int l = 0; l < expected.length; l++) {
                assertEquals(expected[l], cache.maxSlots(l), "layer " + l + " (" + cache.kind(l) + ")");
                assertEquals(0, cache.slots(l), "nothing is allocated before a position is written");
            }
            for (int l = 0; l < expected.length; l++) {
                cache.ensure(l, 10);
            }
            // Growing layers start small: dense at 64 positions, a column layer at one position per column.
            assertEquals(64, cache.slots(0));
            assertEquals(BLOCK, cache.slots(2));
            cache.ensure(2, 5 * BLOCK);
            assertEquals(6 * BLOCK, cache.slots(2)); // doubled rows per column would be 2; needed are 6
            cache.ensure(0, 100);
            assertEquals(128, cache.slots(0)); // doubled
            cache.ensure(0, 150);
            assertEquals(nCtx, cache.slots(0)); // doubling capped at the window
            assertEquals(2L * 2 * HEAD_DIM * 2 * (nCtx + BLOCK + 6 * BLOCK + 2 * BLOCK + KEY_LIMIT + ENCODER),
                    cache.bytes());
        }
    }

    @Test
    void aLyricsWindowCannotMove() {
        try (NDManager m = root.get().newSubManager()) {
            StepCache cache = new StepCache(m, layers(), 192, 1, HEAD_DIM, DType.F32);
            cache.ensure(4, 3);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> cache.shift(BLOCK));
            assertTrue(e.getMessage().contains("lyric"), e.getMessage());
        }
    }

    /**
     * A whole window's cache, known from the config alone, counted a second way: the 1b_lyrics top prior (72 layers
     * under attn_order 12, a window of 6144 music and 384 lyric positions in blocks of 102) holds per take and head
     * the current block in each of its 22 row layers, all 6528 positions in its 23 column layers and its dense one,
     * two blocks in each of 23 previous-row layers, and its 3 lyrics layers (n_tokens / blocks + 1) x blocks = 448 keys.
     */
    @Test
    void windowBytesFromTheConfigCountsWhatEachLayerHolds() throws Exception {
        java.nio.file.Path preset = java.nio.file.Path.of(System.getProperty("segue.home", "..")).resolve("presets/jukebox-1b-lyrics.json");
        dev.segue.engine.config.PriorConfig top = dev.segue.engine.config.ModelConfig.load(preset).priors().get(2);
        int block = 6528 / 64;
        long positions = 22L * block + 23L * 6528 + 23L * 2 * block + 3L * 448 + 6528;
        assertEquals(164_952, positions);
        long perSequence = positions * 2 * (top.attnState() / top.heads()) * 2; // keys and values, bf16
        assertEquals(positions * top.heads() * 2 * (top.attnState() / top.heads()) * 2 * 4,
                StepCache.windowBytes(top, 4, DType.BF16));
        assertEquals(2 * perSequence * top.heads() * 4, StepCache.windowBytes(top, 4, DType.F32));
    }
}
