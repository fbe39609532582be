package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.testing.CpuManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A beat-clocked top prior hears its traits, and only a beat-clocked top prior takes them. */
class BeatClockPriorTest {
    @RegisterExtension
    static final CpuManager root = new CpuManager();

    private static ModelConfig config(int level, boolean clock) throws Exception {
        String json = """
            {"vqvae": {"levels": 3, "downs_t": [1, 1, 1], "strides_t": [2, 2, 2], "emb_width": 8, "l_bins": 32,
                       "depth": 1, "width": 8, "sr": 16000},
             "priors": {"%d": {"level": %d, "n_ctx": 32, "prior_width": 16, "prior_depth": 2, "heads": 2,
                       "attn_order": 0, "labels": false, "cond_width": 8, "cond_depth": 1, "beat_clock": %b}}}
            """.formatted(level, level, clock);
        return ModelConfig.fromJson(new ObjectMapper().readTree(json), "test");
    }

    private static float[] logits(Prior prior, NDManager m, List<PrimeTraits.At> traits) {
        long[] previous = new long[32];
        for (int i = 0; i < previous.length; i++) {
            previous[i] = (i * 7) % 32;
        }
        try (KvCache cache = prior.newCache(m, 1)) {
            Conditioning cond = prior.condition(m, 1, null, null, traits);
            return prior.forward(cache, cond, m.create(previous, new Shape(1, 32)), 0).toFloatArray();
        }
    }

    @Test
    void logitsFollowTheTempoThePitchAndTheWindowsPlaceOnTheClock() throws Exception {
        ModelConfig c = config(2, true);
        double[] cMajor = new double[12];
        cMajor[0] = 1;
        cMajor[4] = 0.7;
        cMajor[7] = 0.7;
        double[] fSharp = new double[12];
        fSharp[6] = 1;
        fSharp[10] = 0.7;
        fSharp[1] = 0.7;
        try (NDManager m = root.get().newSubManager();
             Prior prior = new Prior(c.priors().get(2), c.vqvae(), new RandomWeights(5, 0.3), m)) {
            assertTrue(prior.hasBeatClock());
            float[] base = logits(prior, m, List.of(new PrimeTraits(100, 0.1, cMajor).at(0)));
            assertArrayEquals(base, logits(prior, m, List.of(new PrimeTraits(100, 0.1, cMajor).at(0))), "deterministic");
            assertDiffer(base, logits(prior, m, List.of(new PrimeTraits(137, 0.1, cMajor).at(0))), "another tempo");
            assertDiffer(base, logits(prior, m, List.of(new PrimeTraits(100, 0.1, fSharp).at(0))), "another pitch set");
            assertDiffer(base, logits(prior, m, List.of(new PrimeTraits(100, 0.1, cMajor).at(0.3))), "a later window");
            assertDiffer(base, logits(prior, m, List.of(PrimeTraits.UNKNOWN.at(0))), "nothing known");
            assertThrows(IllegalArgumentException.class, () -> prior.condition(m, 1, null, null),
                    "a beat-clocked prior needs traits");
        }
    }

    @Test
    void onlyABeatClockedTopPriorTakesTraits() throws Exception {
        ModelConfig plain = config(2, false);
        try (NDManager m = root.get().newSubManager();
             Prior prior = new Prior(plain.priors().get(2), plain.vqvae(), new RandomWeights(5, 0.3), m)) {
            assertThrows(IllegalArgumentException.class, () -> prior.condition(m, 1, null, null,
                    List.of(PrimeTraits.UNKNOWN.at(0))));
        }
        ModelConfig upsampler = config(1, true);
        try (NDManager m = root.get().newSubManager()) {
            assertThrows(ConfigException.class,
                    () -> new Prior(upsampler.priors().get(1), upsampler.vqvae(), new RandomWeights(5, 0.3), m).close());
        }
    }

    private static void assertDiffer(float[] a, float[] b, String what) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(worst > 1e-3, what + " left the logits unchanged (max difference " + worst + ")");
    }
}
