package dev.segue.engine.prior;

import static dev.segue.engine.testing.StepPaths.condition;
import static dev.segue.engine.testing.StepPaths.djlSteps;
import static dev.segue.engine.testing.StepPaths.prefilled;
import static dev.segue.engine.testing.StepPaths.previousTokens;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.testing.ReferenceFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prior whose matrices are held in half precision, on the reference fixtures: its libtorch prefill and
 * step and its CPU step kernel read the same half weights (the widening is exact); the kernel also holds
 * its keys and values in the weights' precision (libtorch keeps them in fp32), which rounds two more values
 * per layer, so the two paths must agree within 1e-4 + u_c x sqrt(2 x layers) x the logit scale, u_c the
 * cache format's unit roundoff. Against the fp32 prior the kernel's logits must stay within the format's
 * tolerance: the reference tolerance 1e-3 plus sqrt((4 x layers + 1) u_w^2 + 2 x layers x u_c^2) x the
 * logit scale (weight roundings and cache roundings add in quadrature; {@code LogitTolerance} has the
 * weights' term). As-stored on a file whose Conv1D weights are fp16 keeps the weights exactly (u_w = 0) and
 * holds the cache in fp16.
 */
class HalfStepPathsTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();

    @ParameterizedTest(name = "level {0}, {1}, prime {2}, batch {3}")
    @CsvSource({"2, BF16, 64, 5", "2, AS_STORED, 40, 1", "0, FP16, 0, 4"})
    void halfPathsAgreeAndStayNearFp32(int level, WeightFormat format, int primeLen, int batch) {
        String key = "prior" + level;
        ModelConfig config = fixture.config();
        long[] z = fixture.cases().get(key + ".z").toLongs();
        PriorConfig pc = config.priors().get(level);
        int nCtx = pc.nCtx();
        try (SafetensorsFile weights = fixture.weights("prior_level_" + level + ".safetensors");
             NDManager m = fixture.root().newSubManager();
             Prior half = new Prior(pc, config.vqvae(), weights, m, format);
             Prior full = new Prior(pc, config.vqvae(), weights, m, WeightFormat.FP32)) {
            Conditioning halfCond = condition(half, m, fixture.cases(), key, batch);
            Conditioning fullCond = condition(full, m, fixture.cases(), key, batch);
            StepSession kernel = half.openSteps(m, prefilled(half, m, halfCond, z, primeLen, batch), halfCond);
            StepSession djl = djlSteps(half, m, prefilled(half, m, halfCond, z, primeLen, batch), halfCond);
            StepSession reference = full.openSteps(m, prefilled(full, m, fullCond, z, primeLen, batch), fullCond);
            double paths = 0;
            double fromFp32 = 0;
            double scale = 0;
            long[] previous = new long[batch];
            for (int t = primeLen; t < Math.min(nCtx, primeLen + 24); t++) {
                previousTokens(previous, z, t, 0, nCtx);
                float[] k = kernel.step(previous, t).clone();
                float[] d = djl.step(previous, t).clone();
                float[] r = reference.step(previous, t);
                for (int i = 0; i < k.length; i++) {
                    paths = Math.max(paths, Math.abs(k[i] - d[i]));
                    fromFp32 = Math.max(fromFp32, Math.abs(k[i] - r[i]));
                    scale = Math.max(scale, Math.abs(r[i]));
                }
            }
            double u = format == WeightFormat.BF16 ? 0x1p-8 : format == WeightFormat.FP16 ? 0x1p-11 : 0;
            double uCache = format == WeightFormat.BF16 ? 0x1p-8 : 0x1p-11; // the fixture's Conv1Ds are fp16
            double cacheTerm = uCache * Math.sqrt(2.0 * pc.depth()) * scale;
            assertTrue(paths < 1e-4 + cacheTerm, "kernel and libtorch steps over the same half weights differ by "
                    + paths + ", more than the cache's rounding allows (" + (1e-4 + cacheTerm) + ")");
            double tolerance = (u == 0 ? 1e-4 : 1e-3) + Math.sqrt((4.0 * pc.depth() + 1) * u * u * scale * scale
                    + cacheTerm * cacheTerm);
            assertTrue(fromFp32 <= tolerance, format + " logits are " + fromFp32 + " from fp32's, tolerance " + tolerance);
            assertTrue(fromFp32 > 0, "rounded weights or cache gave fp32's logits exactly: the format was not applied");
            System.out.printf("%s level %d: kernel vs libtorch %.3e (bound %.3e), vs fp32 %.3e (tolerance %.3e)%n",
                    format, level, paths, 1e-4 + cacheTerm, fromFp32, tolerance);
        }
    }
}
