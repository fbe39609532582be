package dev.segue.engine.prior;

import static dev.segue.engine.testing.StepPaths.condition;
import static dev.segue.engine.testing.StepPaths.djlSteps;
import static dev.segue.engine.testing.StepPaths.prefilled;
import static dev.segue.engine.testing.StepPaths.worstDifference;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.testing.ReferenceFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU step kernel and the DJL step compute the same function: stepping both from the same prefilled
 * cache along the fixture's tokens must give the same logits, for the top prior and an upsampler, from a
 * prime and from nothing (start token, previous-block attention in the first block), at batch sizes that
 * hit the kernel's 4-candidate blocks and its remainders.
 */
class StepPathsTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();

    @ParameterizedTest(name = "level {0}, prime {1}, batch {2}")
    @CsvSource({"2, 64, 1", "2, 0, 3", "2, 40, 4", "2, 16, 6", "1, 48, 2", "0, 0, 4"})
    void kernelMatchesDjlStep(int level, int primeLen, int batch) {
        String key = "prior" + level;
        ModelConfig config = fixture.config();
        long[] z = fixture.cases().get(key + ".z").toLongs();
        int nCtx = config.priors().get(level).nCtx();
        try (SafetensorsFile weights = fixture.weights("prior_level_" + level + ".safetensors");
             NDManager m = fixture.root().newSubManager();
             Prior prior = new Prior(config.priors().get(level), config.vqvae(), weights, m)) {
            Conditioning cond = condition(prior, m, fixture.cases(), key, batch);
            KvCache forKernel = prefilled(prior, m, cond, z, primeLen, batch);
            KvCache forDjl = prefilled(prior, m, cond, z, primeLen, batch);
            StepSession kernel = prior.openSteps(m, forKernel, cond);
            StepSession djl = djlSteps(prior, m, forDjl, cond);
            double worst = worstDifference(kernel, djl, z, batch, primeLen, Math.min(nCtx, primeLen + 40), 0, nCtx);
            assertTrue(worst < 1e-4, "kernel and DJL step logits differ by " + worst);
            forKernel.close();
            forDjl.close();
        }
    }

    /**
     * Moving the window ({@link StepSession#shift}) is done on the kernel's own layout (keys and values
     * interleaved, column layers column by column) and, for DJL, by slicing the cache tensors: after a shift
     * both must go on computing the same logits, and a shift that would split a block is refused by both.
     */
    @ParameterizedTest(name = "batch {0}, shift {1}")
    @CsvSource({"1, 32", "4, 48", "3, 16", "2, 128"})
    void kernelAndDjlShiftAlike(int batch, int shift) {
        ModelConfig config = fixture.config();
        long[] z = fixture.cases().get("prior2.z").toLongs();
        int nCtx = config.priors().get(2).nCtx();
        int primeLen = nCtx - 40;
        try (SafetensorsFile weights = fixture.weights("prior_level_2.safetensors");
             NDManager m = fixture.root().newSubManager();
             Prior prior = new Prior(config.priors().get(2), config.vqvae(), weights, m)) {
            Conditioning cond = condition(prior, m, fixture.cases(), "prior2", batch);
            KvCache forKernel = prefilled(prior, m, cond, z, primeLen, batch);
            KvCache forDjl = prefilled(prior, m, cond, z, primeLen, batch);
            StepSession kernel = prior.openSteps(m, forKernel, cond);
            StepSession djl = djlSteps(prior, m, forDjl, cond);
            double worst = worstDifference(kernel, djl, z, batch, primeLen, nCtx, 0, nCtx);
            int badShift = config.priors().get(2).blockCtx() / 2;
            assertThrows(IllegalArgumentException.class, () -> kernel.shift(badShift));
            assertThrows(IllegalArgumentException.class, () -> djl.shift(badShift));
            kernel.shift(shift);
            djl.shift(shift);
            double afterShift = worstDifference(kernel, djl, z, batch, nCtx - shift, nCtx, shift, nCtx);
            assertTrue(worst < 1e-4, "before the shift, kernel and DJL step logits differ by " + worst);
            assertTrue(afterShift < 1e-4, "after a shift of " + shift + ", kernel and DJL step logits differ by " + afterShift);
            forKernel.close();
            forDjl.close();
        }
    }
}
