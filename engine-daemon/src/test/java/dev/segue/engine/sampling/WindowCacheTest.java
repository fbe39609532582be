package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.ReferenceFixture;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keeping the key/value cache across top-level windows ({@link WindowCache#SHIFT}) on the fixture's top prior
 * (n_ctx 256, blocks of 16, window hop 32): later windows are not prefilled; the windows before the first move
 * are the same function as re-prefilling; the teacher-forced score that the bench compares the policies by is
 * the whole-window forward's.
 */
class WindowCacheTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();
    private static final int KNOWN = 100;
    /** Five windows, all of n_ctx: [0, 256) samples 156, then four hops of 32. */
    private static final int TOTAL = 256 + 4 * 32;

    private static NDManager manager;
    private static SafetensorsFile store;
    private static Prior prior;
    private static long[] codes;

    @BeforeAll
    static void load() {
        manager = fixture.root();
        ModelConfig config = fixture.config();
        store = fixture.weights("prior_level_2.safetensors");
        prior = new Prior(config.priors().get(2), config.vqvae(), store, manager);
        Random random = new Random(11);
        codes = new long[TOTAL];
        for (int i = 0; i < TOTAL; i++) {
            codes[i] = random.nextInt(prior.bins());
        }
    }

    @AfterAll
    static void close() {
        prior.close();
        store.close();
    }

    @Test
    void shiftPrefillsOnlyTheFirstWindow() {
        WindowScoring.Score reprefill = WindowScoring.score(manager, prior, codes, null, KNOWN, WindowCache.REPREFILL);
        WindowScoring.Score shift = WindowScoring.score(manager, prior, codes, null, KNOWN, WindowCache.SHIFT);
        assertEquals(5, reprefill.windows());
        assertEquals(5, reprefill.prefilledWindows());
        assertEquals(1, shift.prefilledWindows());
        assertEquals(TOTAL - KNOWN, shift.tokens());
        // Random weights: no claim about which scores better, only that the moved cache is a different function.
        assertTrue(Math.abs(shift.bitsPerToken() - reprefill.bitsPerToken()) > 1e-6,
                "a moved cache scoring exactly like re-prefilled windows would mean nothing moved");
    }

    @Test
    void reprefillScoreIsTheWholeWindowForward() {
        WindowScoring.Score scored = WindowScoring.score(manager, prior, codes, null, KNOWN, WindowCache.REPREFILL);
        WindowPlan plan = WindowPlan.of(KNOWN, TOTAL, 256, ContinuationPipeline.TOP_HOP_FRACTION, 1);
        double nats = 0;
        int count = 0;
        try (NDManager m = manager.newSubManager()) {
            Conditioning cond = prior.condition(m, 1, LabelRow.neutral(prior.config()), null);
            for (WindowPlan.Window w : plan.windows()) {
                long[] window = Arrays.copyOfRange(codes, w.start(), w.end());
                NDArray logits = prior.windowLogits(cond, m.create(window, new Shape(1, window.length)));
                float[] flat = logits.toFloatArray();
                int bins = prior.bins();
                for (int t = w.contextTokens(); t < window.length; t++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < bins; i++) {
                        max = Math.max(max, flat[t * bins + i]);
                    }
                    double sum = 0;
                    for (int i = 0; i < bins; i++) {
                        sum += Math.exp(flat[t * bins + i] - max);
                    }
                    nats += Math.log(sum) + max - flat[t * bins + (int) window[t]];
                    count++;
                }
            }
        }
        assertEquals(count, scored.tokens());
        assertEquals(nats / count / Math.log(2), scored.bitsPerToken(), 1e-4);
    }

    @Test
    void shiftedTakesAreReproducibleAndAgreeUntilTheFirstMove() {
        long[][] known = {Arrays.copyOf(codes, KNOWN)};
        List<LabelRow> labels = LabelRow.neutral(prior.config());
        SamplingParams params = new SamplingParams(1.0, 0, 0.0, 5);
        long[][] shifted = sample(WindowCache.SHIFT, known, labels, params);
        long[][] again = sample(WindowCache.SHIFT, known, labels, params);
        long[][] reprefilled = sample(WindowCache.REPREFILL, known, labels, params);
        for (int c = 0; c < 2; c++) {
            assertArrayEquals(shifted[c], again[c], "candidate " + c + " differs between two runs of one seed");
            assertArrayEquals(Arrays.copyOf(reprefilled[c], 256), Arrays.copyOf(shifted[c], 256),
                    "candidate " + c + ": the first window has nothing to move and must not differ");
            for (long code : shifted[c]) {
                assertTrue(code >= 0 && code < prior.bins());
            }
        }
    }

    private static long[][] sample(WindowCache policy, long[][] known, List<LabelRow> labels, SamplingParams params) {
        return new WindowedSampler(prior, ContinuationPipeline.TOP_HOP_FRACTION, policy)
                .sample(manager, known, 2, TOTAL, null, labels, params, new Monitor() {
                    @Override
                    public void progress(int level, long done, long total) {}

                    @Override
                    public boolean cancelled() {
                        return false;
                    }
                });
    }
}
