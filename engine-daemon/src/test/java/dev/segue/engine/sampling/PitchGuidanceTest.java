package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.CpuManager;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pitch guidance: each candidate's logits are u + g (c - u) of the prior told the prime's traits (c) and told
 * them without the pitch (u), row by row, whether the candidates share a prime or each has its own.
 */
class PitchGuidanceTest {
    private static final int BINS = 32;
    private static final int PRIME = 10;
    private static final int TOTAL = 14;
    @RegisterExtension
    static final CpuManager root = new CpuManager();

    /** A tiny model whose top prior has the given keys besides its shape (also {@code TemperatureScaleTest}'s). */
    static ModelConfig config(String clock) throws Exception {
        String json = """
            {"vqvae": {"levels": 3, "downs_t": [1, 1, 1], "strides_t": [2, 2, 2], "emb_width": 8, "l_bins": 32,
                       "depth": 1, "width": 8, "sr": 16000},
             "priors": {"2": {"level": 2, "n_ctx": 32, "prior_width": 16, "prior_depth": 2, "heads": 2,
                       "attn_order": 0, "labels": false, %s}}}
            """.formatted(clock);
        return ModelConfig.fromJson(new ObjectMapper().readTree(json), "test");
    }

    private static Prior prior(NDManager m, double guidance) throws Exception {
        ModelConfig c = config("\"beat_clock\": true, \"pitch_guidance\": " + guidance);
        return new Prior(c.priors().get(2), c.vqvae(), new RandomWeights(11, 0.5), m);
    }

    private static final double[] A_MINOR = {0.5, 0, 0.2, 0, 0.6, 0.1, 0, 0.1, 0, 1, 0, 0.1};
    private static final PrimeTraits TRAITS = new PrimeTraits(110, 0.2, A_MINOR);

    private static long[] prime(int salt) {
        long[] p = new long[PRIME];
        for (int i = 0; i < PRIME; i++) {
            p[i] = (i * 7 + salt * 5 + 3) % BINS;
        }
        return p;
    }

    /** The prior's unguided logits for the position right after {@code prime}, by a whole-sequence forward. */
    private static float[] nextLogits(Prior prior, NDManager m, long[] prime, PrimeTraits traits) {
        long[] previous = new long[PRIME + 1];
        System.arraycopy(prime, 0, previous, 1, PRIME);
        try (NDManager s = m.newSubManager(); KvCache cache = prior.newCache(s, 1)) {
            Conditioning cond = prior.condition(s, 1, null, null, List.of(traits.at(0)));
            float[] all = prior.forward(cache, cond, s.create(previous, new Shape(1, PRIME + 1)), 0).toFloatArray();
            return Arrays.copyOfRange(all, PRIME * BINS, (PRIME + 1) * BINS);
        }
    }

    /** The logits the sampler draws its first token from, one row per candidate. */
    private static float[] firstSampledLogits(Prior prior, NDManager m, long[][] primes, int candidates,
                                              PrimeTraits traits) {
        float[][] seen = new float[1][];
        Monitor monitor = new Monitor() {
            @Override
            public boolean wantsLogits() {
                return true;
            }

            @Override
            public void logits(int level, int position, int count, float[] values) {
                if (position == PRIME && count == 1) {
                    seen[0] = values.clone();
                }
            }
        };
        new PrimedSampler(prior).sample(m, new PrimedSampler.Request(primes, candidates, TOTAL, null, null,
                new SamplingParams(1.0, 0, 0.0, 3), 4, traits.at(0)), monitor);
        return seen[0];
    }

    private static float[] guided(float[] c, float[] u, double g) {
        float[] out = new float[c.length];
        for (int k = 0; k < c.length; k++) {
            out[k] = (float) (u[k] + g * (c[k] - u[k]));
        }
        return out;
    }

    private static float[] row(float[] rows, int i) {
        return Arrays.copyOfRange(rows, i * BINS, (i + 1) * BINS);
    }

    @Test
    void eachCandidateIsGuidedByItsOwnPairOfRows() throws Exception {
        double g = 3;
        try (NDManager m = root.get().newSubManager(); Prior prior = prior(m, g)) {
            long[][] own = {prime(0), prime(1), prime(2)};
            float[] seen = firstSampledLogits(prior, m, own, 3, TRAITS);
            for (int i = 0; i < 3; i++) {
                float[] c = nextLogits(prior, m, own[i], TRAITS);
                float[] u = nextLogits(prior, m, own[i], TRAITS.withoutChroma());
                assertFalse(Arrays.equals(c, u), "the pitch must move this prior's logits for the test to mean anything");
                assertArrayEquals(guided(c, u, g), row(seen, i), 1e-4f, "candidate " + i + " with its own prime");
            }
            // One shared prime, prefilled once and repeated: every candidate still pairs with its own twin.
            float[] shared = firstSampledLogits(prior, m, new long[][] {prime(1)}, 3, TRAITS);
            float[] expected = guided(nextLogits(prior, m, prime(1), TRAITS),
                    nextLogits(prior, m, prime(1), TRAITS.withoutChroma()), g);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected, row(shared, i), 1e-4f, "candidate " + i + " of a shared prime");
            }
        }
    }

    @Test
    void noGuidanceWithoutAPitchOrAtScaleOne() throws Exception {
        long[][] one = {prime(4)};
        try (NDManager m = root.get().newSubManager(); Prior guided = prior(m, 4); Prior plain = prior(m, 1)) {
            PrimeTraits silent = TRAITS.withoutChroma();
            assertFalse(silent.hasPitch());
            assertTrue(TRAITS.hasPitch());
            assertArrayEquals(nextLogits(plain, m, prime(4), silent), row(firstSampledLogits(guided, m, one, 2, silent), 1),
                    1e-4f, "no pitch heard: nothing to guide towards");
            assertArrayEquals(nextLogits(plain, m, prime(4), TRAITS), row(firstSampledLogits(plain, m, one, 2, TRAITS), 0),
                    1e-4f, "scale 1 samples the prior as it is");
            assertFalse(Arrays.equals(row(firstSampledLogits(plain, m, one, 2, TRAITS), 0),
                    row(firstSampledLogits(guided, m, one, 2, TRAITS), 0)), "a pitch heard at scale 4 moves the logits");
        }
    }

    @Test
    void guidanceNeedsABeatClockAndABoundedScale() {
        assertThrows(ConfigException.class, () -> config("\"pitch_guidance\": 2"), "no clock, no pitch to follow");
        assertThrows(ConfigException.class, () -> config("\"beat_clock\": true, \"pitch_guidance\": 0.5"));
        assertThrows(ConfigException.class, () -> config("\"beat_clock\": true, \"pitch_guidance\": 11"));
        assertThrows(ConfigException.class, () -> config("\"beat_clock\": true, \"pitch_guidance\": \"strong\""));
    }
}
