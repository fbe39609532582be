package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.testing.CpuManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference's own sampling check, on configurations the shared fixtures do not cover: for random
 * weights, the teacher-forced logits of a whole window equal those of a prefill in chunks that do not
 * line up with the attention blocks, and those of cached steps on both step paths. Covers dense and
 * factorized attention orders, priors with and without labels, res_scale, the merged decoder and an
 * upsampler with its conditioner on the level above, and top priors with a beat clock (alone and beside
 * the timing labels), each window row placed at its own time.
 */
class PriorSelfConsistencyTest {
    private static final int BINS = 64;
    @RegisterExtension
    static final CpuManager root = new CpuManager();

    @ParameterizedTest(name = "level {0}, attn_order {1}, labels {2}, res_scale {3}, merged {4}, batch {5}, clock {6}")
    @CsvSource({
        "2, 0, false, false, false, 2, false",
        "2, 1, true, false, false, 1, false",
        "2, 2, true, true, true, 3, false",
        "2, 2, false, false, false, 5, false",
        "2, 9, true, false, false, 2, false",
        "1, 2, true, false, false, 2, false",
        "0, 0, false, true, false, 1, false",
        "2, 2, false, false, false, 3, true",
        "2, 1, true, false, false, 2, true"})
    void wholeWindowChunksAndStepsAgree(int level, int attnOrder, boolean labels, boolean resScale, boolean merged,
                                        int batch, boolean clock) throws Exception {
        ModelConfig config = config(level, attnOrder, labels, resScale, merged, clock);
        PriorConfig pc = config.priors().get(level);
        int n = pc.nCtx();
        Random random = new Random(level * 31 + attnOrder);
        long[] z = new long[batch * n];
        for (int i = 0; i < z.length; i++) {
            z[i] = random.nextInt(BINS);
        }
        try (NDManager m = root.get().newSubManager();
             Prior prior = new Prior(pc, config.vqvae(), new RandomWeights(attnOrder + 1, 0.3), m)) {
            List<LabelRow> rows = null;
            if (labels) {
                rows = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    rows.add(new LabelRow(44100L * 30, 44100L * b, 44100L * 2, 3 + b, new int[] {1, 4, -1}));
                }
            }
            var upper = prior.isUpsampler() ? m.create(randomCodes(random, batch * prior.upperCodesPerWindow()),
                    new Shape(batch, prior.upperCodesPerWindow())) : null;
            List<PrimeTraits.At> traits = null;
            if (clock) {
                traits = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    double[] chroma = new double[12];
                    chroma[(5 * b) % 12] = 1;
                    traits.add(new PrimeTraits(90 + 17 * b, 0.05 * b, chroma).at(0.37 * b));
                }
            }
            Conditioning cond = prior.condition(m, batch, rows, upper, traits);

            float[] whole = run(prior, m, cond, z, batch, n, new int[] {n});
            float[] chunked = run(prior, m, cond, z, batch, n, new int[] {5, 11, 1, 16, 9});
            CachedSteps.assertClose(whole, chunked, "chunked prefill");
            int primeLen = 21;
            for (boolean kernel : new boolean[] {true, false}) {
                float[] stepped = CachedSteps.run(prior, m, cond, z, batch, n, primeLen, kernel);
                float[] expected = new float[batch * (n - primeLen) * BINS];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(whole, (b * n + primeLen) * BINS, expected, b * (n - primeLen) * BINS,
                            (n - primeLen) * BINS);
                }
                CachedSteps.assertClose(expected, stepped, kernel ? "CPU kernel steps" : "DJL steps");
            }
        }
    }

    private static long[] randomCodes(Random random, int count) {
        long[] codes = new long[count];
        for (int i = 0; i < count; i++) {
            codes[i] = random.nextInt(BINS);
        }
        return codes;
    }

    /** Logits (batch, n, bins) from a prefill in chunks of the given sizes (cycled). */
    private static float[] run(Prior prior, NDManager m, Conditioning cond, long[] z, int batch, int n, int[] chunks) {
        float[] out = new float[batch * n * BINS];
        try (KvCache cache = prior.newCache(m, batch)) {
            int start = 0;
            for (int k = 0; start < n; k++) {
                int c = Math.min(chunks[k % chunks.length], n - start);
                long[] previous = new long[batch * c];
                for (int b = 0; b < batch; b++) {
                    for (int j = 0; j < c; j++) {
                        int pos = start + j;
                        previous[b * c + j] = pos == 0 ? 0 : z[b * n + pos - 1];
                    }
                }
                float[] part = prior.forward(cache, cond, m.create(previous, new Shape(batch, c)), start).toFloatArray();
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(part, b * c * BINS, out, (b * n + start) * BINS, c * BINS);
                }
                start += c;
            }
            if (prior.config().attnOrder() == 1 || prior.config().attnOrder() == 2) {
                // Row (and previous-row) layers let go of the blocks they will not read again.
                int held = 0;
                for (int l = 0; l < cache.layers(); l++) {
                    held += cache.allocatedSlots(l);
                }
                assertTrue(held < cache.layers() * n, "the prefill cache holds " + held + " positions, the whole window in"
                        + " every layer");
            }
        }
        return out;
    }

    private static ModelConfig config(int level, int attnOrder, boolean labels, boolean resScale, boolean merged,
                                      boolean clock) throws Exception {
        String json = """
            {"vqvae": {"levels": 3, "downs_t": [1, 1, 1], "strides_t": [2, 2, 2], "emb_width": 8, "l_bins": %d,
                       "depth": 1, "width": 8, "sr": 44100},
             "priors": {"%d": {"level": %d, "n_ctx": 48, "prior_width": 32, "prior_depth": 4, "heads": 2,
                       "attn_order": %d, "blocks": 6, "labels": %b, "y_bins": [10, 20], "t_bins": 16,
                       "max_bow_genre_size": 3, "res_scale": %b, "merged_decoder": %b, "cond_width": 16,
                       "cond_depth": 2, "cond_dilation_growth_rate": 2, "cond_dilation_cycle": 2,
                       "cond_res_scale": true, "beat_clock": %b}}}
            """.formatted(BINS, level, level, attnOrder, labels, resScale, merged, clock);
        return ModelConfig.fromJson(new ObjectMapper().readTree(json), "test");
    }
}
