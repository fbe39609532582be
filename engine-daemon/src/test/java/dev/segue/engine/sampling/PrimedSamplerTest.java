package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.ReferenceFixture;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Primed sampling on the level-2 (top) prior of the jukebox-ref fixtures. About 420 lines: one class per unit
 * under test, one test per behaviour (seeds and candidates, the reference's greedy path, the monitor, refusals),
 * all sharing the prior loaded once.
 */
class PrimedSamplerTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();
    private static final int PRIME = 32;
    private static final int TOTAL = 64;

    private static NDManager manager;
    private static WeightStore store;
    private static Prior prior;
    private static PrimedSampler sampler;
    private static List<LabelRow> labels;
    /** First rows of prior2.greedy.prime (192 tokens) and prior2.greedy.tokens (256 tokens). */
    private static long[] greedyPrime;
    private static long[] greedyTokens;
    /** A short prime: the first 32 tokens of the greedy prime. */
    private static long[] prime;

    @BeforeAll
    static void loadPrior() {
        manager = fixture.root();
        ModelConfig config = fixture.config();
        PriorConfig pc = config.priors().get(2);
        store = fixture.weights("prior_level_2.safetensors");
        prior = new Prior(pc, config.vqvae(), store, manager);
        sampler = new PrimedSampler(prior);
        SafetensorsFile cases = fixture.cases();
        long[] y = cases.get("prior2.y").toLongs();
        int width = (int) cases.get("prior2.y").shape()[1];
        labels = List.of(LabelRow.fromRow(Arrays.copyOf(y, width), pc.maxBowGenreSize()));
        greedyPrime = firstRow(cases.get("prior2.greedy.prime").toLongs(), cases.get("prior2.greedy.prime").shape());
        greedyTokens = firstRow(cases.get("prior2.greedy.tokens").toLongs(), cases.get("prior2.greedy.tokens").shape());
        prime = Arrays.copyOf(greedyPrime, PRIME);
    }

    @AfterAll
    static void close() {
        if (prior != null) {
            prior.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static long[] firstRow(long[] flat, long[] shape) {
        return Arrays.copyOf(flat, (int) shape[1]);
    }

    private static long[][] sample(long[][] primes, int candidates, int total, SamplingParams params, int chunk) {
        return sample(primes, candidates, total, params, chunk, Monitor.NONE);
    }

    private static long[][] sample(long[][] primes, int candidates, int total, SamplingParams params, int chunk,
                                   Monitor monitor) {
        return sampler.sample(manager,
                new PrimedSampler.Request(primes, candidates, total, labels, null, params, chunk), monitor);
    }

    private static SamplingParams seeded(long seed) {
        return new SamplingParams(1.0, 0, 0.0, seed);
    }

    private static long[] continuation(long[] row, int from) {
        return Arrays.copyOfRange(row, from, row.length);
    }

    // ---- seeds, candidates, shared primes ----

    @Test
    void sameSeedReproduces() {
        long[][] a = sample(new long[][] {prime}, 2, TOTAL, seeded(42), 16);
        long[][] b = sample(new long[][] {prime}, 2, TOTAL, seeded(42), 16);
        assertEquals(2, a.length);
        for (int i = 0; i < 2; i++) {
            assertEquals(TOTAL, a[i].length);
            assertArrayEquals(a[i], b[i], "candidate " + i + " with the same seed");
            for (long token : a[i]) {
                assertTrue(token >= 0 && token < prior.bins(), "token " + token);
            }
        }
    }

    /**
     * The random-weight fixture prior is very peaked (the top token has p ~ 0.98 at every step), so a single
     * candidate of two seeds often continues identically; what must differ is the take as a whole.
     */
    @Test
    void candidateOfASeedIsReproducedByItsOwnSeedAlone() {
        long[][] four = sample(new long[][] {prime}, 4, TOTAL, seeded(70), 16);
        for (int i = 0; i < 4; i++) {
            long[][] one = sample(new long[][] {prime}, 1, TOTAL, seeded(70 + i), 16);
            assertArrayEquals(four[i], one[0], "candidate " + i + " of seed 70 vs seed " + (70 + i) + " alone");
        }
    }

    @Test
    void differentSeedsGiveDifferentTakes() {
        int seeds = 4;
        long[][][] takes = new long[seeds][][];
        // Candidate i of seed s draws stream s + i (so one-candidate requests can reproduce it): seeds 100
        // apart keep the 16 streams distinct.
        for (int s = 0; s < seeds; s++) {
            takes[s] = sample(new long[][] {prime}, 4, TOTAL, seeded(40 + 100 * s), 16);
        }
        for (int s = 0; s < seeds; s++) {
            for (int t = s + 1; t < seeds; t++) {
                assertFalse(Arrays.deepEquals(takes[s], takes[t]), "seeds " + (40 + 100 * s) + " and "
                        + (40 + 100 * t) + " gave the same four candidates");
            }
        }
        long distinctCandidates = Arrays.stream(takes).flatMap(Arrays::stream)
                .map(row -> Arrays.toString(continuation(row, PRIME))).distinct().count();
        assertTrue(distinctCandidates > seeds, "only " + distinctCandidates + " distinct continuations in "
                + 4 * seeds + " candidates");
    }

    @Test
    void primeIsKeptAtTheStartOfEveryCandidate() {
        long[][] shared = sample(new long[][] {prime}, 3, TOTAL, seeded(5), 8);
        for (long[] row : shared) {
            assertArrayEquals(prime, Arrays.copyOf(row, PRIME));
        }
        long[][] own = new long[3][];
        for (int i = 0; i < 3; i++) {
            own[i] = Arrays.copyOfRange(greedyPrime, 10 * i, 10 * i + PRIME);
        }
        long[][] separate = sample(own, 3, TOTAL, seeded(5), 8);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(own[i], Arrays.copyOf(separate[i], PRIME), "candidate " + i);
        }
    }

    @Test
    void sharedPrimeMatchesThePrimeRepeatedPerCandidate() {
        SamplingParams params = seeded(1234);
        long[][] shared = sample(new long[][] {prime}, 4, TOTAL, params, 16);
        long[][] repeated = sample(new long[][] {prime, prime, prime, prime}, 4, TOTAL, params, 16);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(repeated[i], shared[i], "candidate " + i);
        }
    }

    @Test
    void candidateTakesDoNotDependOnHowManyAreDrawn() {
        SamplingParams params = seeded(77);
        long[][] two = sample(new long[][] {prime}, 2, TOTAL, params, 16);
        long[][] four = sample(new long[][] {prime}, 4, TOTAL, params, 16);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(two[i], four[i], "candidate " + i);
        }
    }

    // ---- greedy decoding against the reference ----

    private static long[] greedyRun(SamplingParams params) {
        return sample(new long[][] {greedyPrime}, 1, greedyTokens.length, params, 32)[0];
    }

    @Test
    void topKOneIsTheReferenceGreedyPath() {
        assertArrayEquals(greedyTokens, greedyRun(new SamplingParams(1.0, 1, 0.0, 9)));
        // Temperature does not move the arg-max.
        assertArrayEquals(greedyTokens, greedyRun(new SamplingParams(5.0, 1, 0.0, 9)));
    }

    @Test
    void tinyNucleusIsGreedy() {
        assertArrayEquals(greedyTokens, greedyRun(new SamplingParams(1.0, 0, 0.0001, 3)));
        assertArrayEquals(greedyTokens, greedyRun(new SamplingParams(5.0, 0, 0.0001, 3)));
    }

    /** The same reference path when cached steps go through DJL instead of the CPU step kernel. */
    @Test
    void greedyPathWithoutTheCpuStepKernel() {
        String before = System.getProperty("segue.cpuStepKernel");
        System.setProperty("segue.cpuStepKernel", "false");
        try {
            assertArrayEquals(greedyTokens, greedyRun(SamplingParams.greedy()));
            SamplingParams params = seeded(1234);
            long[][] shared = sample(new long[][] {prime}, 4, TOTAL, params, 16);
            long[][] repeated = sample(new long[][] {prime, prime, prime, prime}, 4, TOTAL, params, 16);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(repeated[i], shared[i], "candidate " + i);
            }
        } finally {
            if (before == null) {
                System.clearProperty("segue.cpuStepKernel");
            } else {
                System.setProperty("segue.cpuStepKernel", before);
            }
        }
    }

    /** Shows the two tests above can fail: a hot, unfiltered draw leaves the greedy path. */
    @Test
    void unfilteredHotSamplingLeavesTheGreedyPath() {
        assertFalse(Arrays.equals(greedyTokens, greedyRun(new SamplingParams(5.0, 0, 0.0, 3))));
    }

    @Test
    void prefillChunkSizeDoesNotChangeTheGreedyPath() {
        int bins = prior.bins();
        float[][] logitsByChunk = new float[4][];
        int[] chunks = {1, 7, 32, 192};
        for (int c = 0; c < chunks.length; c++) {
            float[] path = new float[greedyTokens.length * bins];
            logitsByChunk[c] = path;
            Monitor recorder = new Monitor() {
                @Override
                public boolean wantsLogits() {
                    return true;
                }

                @Override
                public void logits(int level, int position, int count, float[] values) {
                    assertEquals(count * bins, values.length, "one candidate: (1, count, bins)");
                    System.arraycopy(values, 0, path, position * bins, count * bins);
                }
            };
            long[][] tokens = sample(new long[][] {greedyPrime}, 1, greedyTokens.length, SamplingParams.greedy(),
                    chunks[c], recorder);
            assertArrayEquals(greedyTokens, tokens[0], "chunk " + chunks[c]);
        }
        for (int c = 1; c < chunks.length; c++) {
            double worst = 0;
            for (int i = 0; i < logitsByChunk[0].length; i++) {
                worst = Math.max(worst, Math.abs(logitsByChunk[c][i] - logitsByChunk[0][i]));
            }
            assertTrue(worst < 1e-4, "chunk " + chunks[c] + " logits differ from chunk 1 by " + worst);
        }
    }

    // ---- monitor ----

    @Test
    void monitorCancelsBetweenTokens() {
        AtomicInteger progressCalls = new AtomicInteger();
        Monitor cancelAfterFive = new Monitor() {
            @Override
            public void progress(int level, long tokensDone, long tokensTotal) {
                progressCalls.incrementAndGet();
                assertEquals(TOTAL, tokensTotal);
            }

            @Override
            public boolean cancelled() {
                return progressCalls.get() >= 5;
            }
        };
        // Prefill in chunks of 8 reports 4 times, then once more when the prime is done; the next check stops it.
        CancelledException e = assertThrows(CancelledException.class,
                () -> sample(new long[][] {prime}, 2, TOTAL, seeded(1), 8, cancelAfterFive));
        assertNotNull(e.getMessage());
        assertEquals(5, progressCalls.get(), "no progress may be reported after cancellation");

        progressCalls.set(0);
        // One prefill chunk: cancellation arrives in the middle of the cached steps.
        assertThrows(CancelledException.class,
                () -> sample(new long[][] {prime}, 2, TOTAL, seeded(1), PRIME, cancelAfterFive));
        assertEquals(5, progressCalls.get());
    }

    @Test
    void cancelledBeforeStartDoesNoWork() {
        AtomicInteger progressCalls = new AtomicInteger();
        Monitor cancelled = new Monitor() {
            @Override
            public void progress(int level, long tokensDone, long tokensTotal) {
                progressCalls.incrementAndGet();
            }

            @Override
            public boolean cancelled() {
                return true;
            }
        };
        assertThrows(CancelledException.class, () -> sample(new long[][] {prime}, 1, TOTAL, seeded(1), 8, cancelled));
        assertEquals(0, progressCalls.get());
    }

    @Test
    void progressIsMonotoneAndEndsAtTheTotal() {
        int[] last = {-1};
        AtomicInteger calls = new AtomicInteger();
        Monitor monitor = new Monitor() {
            @Override
            public void progress(int level, long done, long total) {
                int tokensDone = (int) done;
                int tokensTotal = (int) total;
                assertTrue(tokensDone >= last[0], tokensDone + " after " + last[0]);
                assertTrue(tokensDone <= tokensTotal);
                last[0] = tokensDone;
                calls.incrementAndGet();
            }
        };
        sample(new long[][] {prime}, 1, TOTAL, seeded(2), 8, monitor);
        assertEquals(TOTAL, last[0]);
        assertTrue(calls.get() >= TOTAL - PRIME);
    }

    // ---- invalid requests ----

    private static void assertRejected(Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void invalidRequestsAreRejected() {
        SamplingParams p = seeded(1);
        long[] tooHigh = prime.clone();
        tooHigh[3] = prior.bins();
        long[] negative = prime.clone();
        negative[0] = -1;
        int nCtx = prior.config().nCtx();

        assertRejected(() -> sample(new long[][] {tooHigh}, 1, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {negative}, 1, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {prime, tooHigh}, 2, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {prime}, 1, nCtx + 1, p, 8));
        assertRejected(() -> sample(new long[][] {prime}, 1, PRIME, p, 8));
        assertRejected(() -> sample(new long[][] {prime}, 1, PRIME - 1, p, 8));
        assertRejected(() -> sample(new long[][] {prime}, 0, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {prime}, -1, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {prime, prime, prime}, 4, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {prime, prime}, 1, TOTAL, p, 8));
        assertRejected(() -> sample(new long[0][], 1, TOTAL, p, 8));
        assertRejected(() -> sample(new long[][] {prime, Arrays.copyOf(prime, PRIME - 1)}, 2, TOTAL, p, 8));
        // The top prior needs labels, and label rows must be one, or one per prime.
        assertRejected(() -> sampler.sample(manager,
                new PrimedSampler.Request(new long[][] {prime}, 1, TOTAL, null, null, p, 8), Monitor.NONE));
        assertRejected(() -> sampler.sample(manager, new PrimedSampler.Request(new long[][] {prime, prime}, 2, TOTAL,
                List.of(labels.get(0), labels.get(0), labels.get(0)), null, p, 8), Monitor.NONE));
    }

    @Test
    void invalidLabelsAreRejected() {
        LabelRow l = labels.get(0);
        SamplingParams p = seeded(1);
        List<LabelRow> badArtist = List.of(new LabelRow(l.totalLength(), l.offset(), l.windowLength(), 4111, l.genres()));
        int[] genres = l.genres().clone();
        genres[0] = 120;
        List<LabelRow> badGenre = List.of(new LabelRow(l.totalLength(), l.offset(), l.windowLength(), l.artist(), genres));
        List<LabelRow> badLength = List.of(new LabelRow(0, 0, l.windowLength(), l.artist(), l.genres()));
        for (List<LabelRow> bad : List.of(badArtist, badGenre, badLength)) {
            assertRejected(() -> sampler.sample(manager,
                    new PrimedSampler.Request(new long[][] {prime}, 1, TOTAL, bad, null, p, 8), Monitor.NONE));
        }
        assertRejected(() -> LabelRow.fromRow(new long[] {1, 2, 3}, 5));
    }

    @Test
    void nullPrimesAreRejected() {
        assertRejected(() -> sample(null, 1, TOTAL, seeded(1), 8));
        assertRejected(() -> sample(new long[][] {null}, 1, TOTAL, seeded(1), 8));
    }

    @Test
    void emptyUpperCodesAreRejected() {
        assertRejected(() -> sampler.sample(manager, new PrimedSampler.Request(new long[][] {prime}, 1, TOTAL, labels,
                new long[0][], seeded(1), 8), Monitor.NONE));
    }

    @Test
    void samplerStillWorksAfterRejectedRequests() {
        assertRejected(() -> sample(new long[][] {prime}, 1, prior.config().nCtx() + 1, seeded(1), 8));
        long[][] tokens = sample(new long[][] {greedyPrime}, 1, greedyPrime.length + 8, SamplingParams.greedy(), 32);
        assertArrayEquals(Arrays.copyOf(greedyTokens, greedyPrime.length + 8), tokens[0]);
    }

    @Test
    void samplingParamsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(0.0, 0, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1.0, 0, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(Double.NaN, 0, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1.0, -1, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1.0, 0, 1.0001, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1.0, 0, -0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1.0, 0, Double.NaN, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SamplingParams(0.0, 0, 0.0, 1));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        // The edges that are allowed.
        new SamplingParams(1e-3, 0, 1.0, 1);
        new SamplingParams(10.0, 2048, 0.0, -5);
        SamplingParams greedy = SamplingParams.greedy();
        assertEquals(1, greedy.topK());
    }
}
