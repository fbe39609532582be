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
 * The reference's sampling check on lyrics geometries the shared fixture does not have: for random
 * weights, the whole-window teacher-forced logits equal a prefill in chunks that line up with neither
 * the attention blocks nor the lyrics attention's key limit, and cached steps on both step paths from a
 * prime shorter than that limit. single_enc_dec with n_tokens not a multiple of blocks; sep_enc_dec with
 * a dense lyrics encoder (no prime_blocks) and with the large model's attn_order 10 (first type 6 at
 * layer 18) over a factorized encoder.
 */
class LyricsSelfConsistencyTest {
    private static final int MUSIC_BINS = 48;
    private static final int LYRIC_VOCAB = 79;
    @RegisterExtension
    static final CpuManager root = new CpuManager();

    @ParameterizedTest(name = "single {0}, attn_order {1}, depth {2}, n_tokens {3}, prime_attn_order {4}, batch {5}")
    @CsvSource({
        "true, 12, 16, 14, 0, 2",
        "false, 8, 10, 12, 0, 3",
        "false, 10, 19, 12, 2, 1"})
    void wholeWindowChunksAndStepsAgree(boolean single, int attnOrder, int depth, int nTokens, int primeAttnOrder,
                                        int batch) throws Exception {
        ModelConfig config = config(single, attnOrder, depth, nTokens, primeAttnOrder);
        PriorConfig pc = config.priors().get(2);
        Random random = new Random(attnOrder * 7 + depth);
        try (NDManager m = root.get().newSubManager();
             Prior prior = new Prior(pc, config.vqvae(), new RandomWeights(attnOrder + depth, 0.3), m)) {
            int n = prior.contextLength();
            List<LabelRow> rows = new ArrayList<>();
            long[] z = new long[batch * n];
            for (int b = 0; b < batch; b++) {
                int[] lyrics = new int[nTokens];
                for (int i = 0; i < nTokens; i++) {
                    lyrics[i] = random.nextInt(LYRIC_VOCAB);
                }
                rows.add(new LabelRow(44100L * 30, 44100L * b, 44100L * 2, 3 + b, new int[] {1}, lyrics));
                long[] music = new long[pc.nCtx()];
                for (int i = 0; i < music.length; i++) {
                    music[i] = random.nextInt(MUSIC_BINS);
                }
                long[] seq = single ? prior.jointSequence(lyrics, music) : music;
                System.arraycopy(seq, 0, z, b * n, n);
            }
            Conditioning cond = prior.condition(m, batch, rows, null);
            int bins = prior.bins();
            float[] whole = run(prior, m, cond, z, batch, n, bins, new int[] {n});
            float[] chunked = run(prior, m, cond, z, batch, n, bins, new int[] {5, 11, 1, 16, 9});
            CachedSteps.assertClose(whole, chunked, "chunked prefill");
            int primeLen = 7;
            for (boolean kernel : new boolean[] {true, false}) {
                float[] stepped = CachedSteps.run(prior, m, cond, z, batch, n, primeLen, kernel);
                float[] expected = new float[batch * (n - primeLen) * bins];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(whole, (b * n + primeLen) * bins, expected, b * (n - primeLen) * bins,
                            (n - primeLen) * bins);
                }
                CachedSteps.assertClose(expected, stepped, kernel ? "CPU kernel steps" : "DJL steps");
            }
        }
    }

    /** Logits (batch, n, bins) from a prefill in chunks of the given sizes (cycled). */
    private static float[] run(Prior prior, NDManager m, Conditioning cond, long[] z, int batch, int n, int bins,
                               int[] chunks) {
        float[] out = new float[batch * n * bins];
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
                    System.arraycopy(part, b * c * bins, out, (b * n + start) * bins, c * bins);
                }
                start += c;
            }
        }
        return out;
    }

    /** A top prior of 40 music codes; blocks 6 over the joint 54-token sequence, or 4 over the 40 music codes. */
    private static ModelConfig config(boolean single, int attnOrder, int depth, int nTokens, int primeAttnOrder)
            throws Exception {
        String json = """
            {"vqvae": {"levels": 3, "downs_t": [1, 1, 1], "strides_t": [2, 2, 2], "emb_width": 8, "l_bins": %d,
                       "depth": 1, "width": 8, "sr": 44100},
             "priors": {"2": {"level": 2, "n_ctx": 40, "prior_width": 32, "prior_depth": %d, "heads": 2,
                       "attn_order": %d, "blocks": %d, "labels": true, "labels_v3": true, "y_bins": [10, 20],
                       "t_bins": 16, "max_bow_genre_size": 1, "single_enc_dec": %b, "use_tokens": %b,
                       "n_tokens": %d, "n_vocab": %d, "prime_width": 16, "prime_depth": 3, "prime_heads": 2,
                       "prime_attn_order": %d, "prime_blocks": %s, "prime_loss_fraction": 0.4}}}
            """.formatted(MUSIC_BINS, depth, attnOrder, single ? 6 : 4, single, !single, nTokens, LYRIC_VOCAB,
                primeAttnOrder, primeAttnOrder == 0 ? "null" : "4");
        return ModelConfig.fromJson(new ObjectMapper().readTree(json), "test");
    }
}
