package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU step kernel and the DJL step compute the same function: stepping both from the same prefilled
 * cache along the fixture's tokens must give the same logits, for the top prior and an upsampler, from a
 * prime and from nothing (start token, previous-block attention in the first block), at batch sizes that
 * hit the kernel's 4-candidate blocks and its remainders.
 */
class StepPathsTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-ref");
    private static NDManager root;
    private static ModelConfig config;
    private static SafetensorsFile cases;

    @BeforeAll
    static void setUp() {
        root = Djl.cpuManager();
        config = ModelConfig.load(FIXTURE.resolve("config.json"));
        cases = SafetensorsFile.open(FIXTURE.resolve("cases.safetensors"));
    }

    @AfterAll
    static void tearDown() {
        cases.close();
        root.close();
    }

    @ParameterizedTest(name = "level {0}, prime {1}, batch {2}")
    @CsvSource({"2, 64, 1", "2, 0, 3", "2, 40, 4", "2, 16, 6", "1, 48, 2", "0, 0, 4"})
    void kernelMatchesDjlStep(int level, int primeLen, int batch) {
        String key = "prior" + level;
        long[] z = cases.get(key + ".z").toLongs();
        int nCtx = config.priors().get(level).nCtx();
        try (SafetensorsFile weights = SafetensorsFile.open(FIXTURE.resolve("prior_level_" + level + ".safetensors"));
             NDManager m = root.newSubManager();
             Prior prior = new Prior(config.priors().get(level), config.vqvae(), weights, m)) {
            long[] y = cases.get(key + ".y").toLongs();
            List<LabelRow> labels = new ArrayList<>();
            NDArray upper = null;
            long[] zc = prior.isUpsampler() ? cases.get(key + ".z_cond").toLongs() : null;
            long[] upperRows = zc == null ? null : new long[batch * prior.upperCodesPerWindow()];
            for (int b = 0; b < batch; b++) {
                labels.add(LabelRow.fromRow(java.util.Arrays.copyOfRange(y, 0, 9), 5));
                if (upperRows != null) {
                    System.arraycopy(zc, 0, upperRows, b * prior.upperCodesPerWindow(), prior.upperCodesPerWindow());
                }
            }
            if (upperRows != null) {
                upper = m.create(upperRows, new Shape(batch, prior.upperCodesPerWindow()));
            }
            Conditioning cond = prior.condition(m, batch, labels, upper);
            KvCache forKernel = prefilled(prior, m, cond, z, primeLen, batch);
            KvCache forDjl = prefilled(prior, m, cond, z, primeLen, batch);
            StepSession kernel = prior.openSteps(m, forKernel, cond);
            StepSession djl = djlSteps(prior, m, forDjl, cond);
            double worst = 0;
            long[] previous = new long[batch];
            for (int t = primeLen; t < Math.min(nCtx, primeLen + 40); t++) {
                for (int b = 0; b < batch; b++) {
                    previous[b] = t == 0 ? 0 : z[(t - 1 + 7 * b) % nCtx]; // distinct histories per candidate
                }
                float[] a = kernel.step(previous, t).clone();
                float[] d = djl.step(previous, t);
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - d[i]));
                }
            }
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
        long[] z = cases.get("prior2.z").toLongs();
        int nCtx = config.priors().get(2).nCtx();
        int primeLen = nCtx - 40;
        try (SafetensorsFile weights = SafetensorsFile.open(FIXTURE.resolve("prior_level_2.safetensors"));
             NDManager m = root.newSubManager();
             Prior prior = new Prior(config.priors().get(2), config.vqvae(), weights, m)) {
            long[] y = cases.get("prior2.y").toLongs();
            List<LabelRow> labels = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                labels.add(LabelRow.fromRow(java.util.Arrays.copyOfRange(y, 0, 9), 5));
            }
            Conditioning cond = prior.condition(m, batch, labels, null);
            KvCache forKernel = prefilled(prior, m, cond, z, primeLen, batch);
            KvCache forDjl = prefilled(prior, m, cond, z, primeLen, batch);
            StepSession kernel = prior.openSteps(m, forKernel, cond);
            StepSession djl = djlSteps(prior, m, forDjl, cond);
            long[] previous = new long[batch];
            double worst = 0;
            for (int t = primeLen; t < nCtx; t++) {
                worst = Math.max(worst, compareStep(kernel, djl, z, previous, t, 0, nCtx));
            }
            int badShift = config.priors().get(2).blockCtx() / 2;
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> kernel.shift(badShift));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> djl.shift(badShift));
            kernel.shift(shift);
            djl.shift(shift);
            double afterShift = 0;
            for (int t = nCtx - shift; t < nCtx; t++) {
                afterShift = Math.max(afterShift, compareStep(kernel, djl, z, previous, t, shift, nCtx));
            }
            assertTrue(worst < 1e-4, "before the shift, kernel and DJL step logits differ by " + worst);
            assertTrue(afterShift < 1e-4, "after a shift of " + shift + ", kernel and DJL step logits differ by " + afterShift);
            forKernel.close();
            forDjl.close();
        }
    }

    /** The DJL step path of {@code prior} over {@code cache}, whatever the kernel property was. */
    static StepSession djlSteps(Prior prior, NDManager m, KvCache cache, Conditioning cond) {
        String before = System.getProperty("segue.cpuStepKernel");
        System.setProperty("segue.cpuStepKernel", "false");
        try {
            return prior.openSteps(m, cache, cond);
        } finally {
            if (before == null) {
                System.clearProperty("segue.cpuStepKernel");
            } else {
                System.setProperty("segue.cpuStepKernel", before);
            }
        }
    }

    /** One step of both sessions at window position t (the window starting {@code offset} into z); max |diff|. */
    private static double compareStep(StepSession a, StepSession b, long[] z, long[] previous, int t, int offset, int nCtx) {
        for (int c = 0; c < previous.length; c++) {
            previous[c] = z[(offset + t - 1 + 7 * c) % nCtx];
        }
        float[] x = a.step(previous, t).clone();
        float[] y = b.step(previous, t);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    private static KvCache prefilled(Prior prior, NDManager m, Conditioning cond, long[] z, int primeLen, int batch) {
        KvCache cache = prior.newCache(m, batch);
        if (primeLen > 0) {
            long[] previous = new long[batch * primeLen];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < primeLen; j++) {
                    previous[b * primeLen + j] = j == 0 ? 0 : z[j - 1];
                }
            }
            prior.forward(cache, cond, m.create(previous, new Shape(batch, primeLen)), 0);
        }
        return cache;
    }
}
