package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The self-consistency checks' shared half: a prime prefilled in one forward, then cached steps (the CPU
 * kernel's or DJL's) teacher-forced over the rest, compared with the whole-window forward.
 */
final class CachedSteps {
    private CachedSteps() {}

    /**
     * Logits (batch, n - primeLen, bins) of positions [primeLen, n), each step fed the known token before it.
     * {@code z} holds every row's n tokens; {@code kernel} picks the CPU step kernel over DJL's steps.
     */
    static float[] run(Prior prior, NDManager m, Conditioning cond, long[] z, int batch, int n, int primeLen,
                       boolean kernel) {
        int bins = prior.bins();
        float[] out = new float[batch * (n - primeLen) * bins];
        try (KvCache cache = prior.newCache(m, batch)) {
            long[] previous = new long[batch * primeLen];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < primeLen; j++) {
                    previous[b * primeLen + j] = j == 0 ? 0 : z[b * n + j - 1];
                }
            }
            prior.forward(cache, cond, m.create(previous, new Shape(batch, primeLen)), 0);
            System.setProperty("segue.cpuStepKernel", Boolean.toString(kernel));
            StepSession session;
            try {
                session = prior.openSteps(m, cache, cond);
            } finally {
                System.clearProperty("segue.cpuStepKernel");
            }
            long[] prev = new long[batch];
            for (int t = primeLen; t < n; t++) {
                for (int b = 0; b < batch; b++) {
                    prev[b] = z[b * n + t - 1];
                }
                float[] logits = session.step(prev, t);
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(logits, b * bins, out, (b * (n - primeLen) + t - primeLen) * bins, bins);
                }
            }
        }
        return out;
    }

    /** Equal within 1e-4 of the larger of 1 and the largest expected logit. */
    static void assertClose(float[] expected, float[] actual, String what) {
        double scale = 1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= 1e-4 * scale, what + " differs from the whole-window forward by " + worst
                + " (logit scale " + scale + ")");
    }
}
