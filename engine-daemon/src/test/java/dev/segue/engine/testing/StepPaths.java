package dev.segue.engine.testing;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.StepSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the step-path tests do before and while they compare two ways of stepping a prior (the CPU kernel and the
 * DJL step, half and full weights): condition it on a reference case, prefill its cache along a code sequence, open
 * the DJL path, and step both sessions along the same histories.
 */
public final class StepPaths {
    private StepPaths() {}

    /**
     * Conditioning for {@code batch} candidates from case {@code key} (e.g. {@code prior2}): every candidate gets the
     * first label row of {@code key.y}, and an upsampler the codes of the level above from {@code key.z_cond}.
     */
    public static Conditioning condition(Prior prior, NDManager m, SafetensorsFile cases, String key, int batch) {
        long[] y = cases.get(key + ".y").toLongs();
        List<LabelRow> labels = new ArrayList<>();
        long[] zc = prior.isUpsampler() ? cases.get(key + ".z_cond").toLongs() : null;
        long[] upperRows = zc == null ? null : new long[batch * prior.upperCodesPerWindow()];
        for (int b = 0; b < batch; b++) {
            labels.add(LabelRow.fromRow(Arrays.copyOfRange(y, 0, 9), 5));
            if (upperRows != null) {
                System.arraycopy(zc, 0, upperRows, b * prior.upperCodesPerWindow(), prior.upperCodesPerWindow());
            }
        }
        return prior.condition(m, batch, labels,
                upperRows == null ? null : m.create(upperRows, new Shape(batch, prior.upperCodesPerWindow())));
    }

    /** A cache for {@code batch} candidates, prefilled with the first {@code primeLen} tokens of {@code sequence}. */
    public static KvCache prefilled(Prior prior, NDManager m, Conditioning cond, long[] sequence, int primeLen,
                                    int batch) {
        KvCache cache = prior.newCache(m, batch);
        if (primeLen > 0) {
            long[] previous = new long[batch * primeLen];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < primeLen; j++) {
                    previous[b * primeLen + j] = j == 0 ? 0 : sequence[j - 1];
                }
            }
            prior.forward(cache, cond, m.create(previous, new Shape(batch, primeLen)), 0);
        }
        return cache;
    }

    /** The DJL step path of {@code prior} over {@code cache}, whatever the kernel property was. */
    public static StepSession djlSteps(Prior prior, NDManager m, KvCache cache, Conditioning cond) {
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

    /**
     * The token before window position {@code t} for each of {@code previous.length} candidates: candidate c reads
     * {@code sequence} 7c further on, so the histories differ; the window starts {@code offset} into the sequence,
     * which wraps at {@code length}; the start token (0) at t = 0.
     */
    public static void previousTokens(long[] previous, long[] sequence, int t, int offset, int length) {
        for (int c = 0; c < previous.length; c++) {
            previous[c] = t == 0 ? 0 : sequence[(offset + t - 1 + 7 * c) % length];
        }
    }

    /**
     * Steps both sessions at window positions {@code from} to {@code to - 1} with the tokens of
     * {@link #previousTokens}; the largest absolute difference of their logits.
     */
    public static double worstDifference(StepSession a, StepSession b, long[] sequence, int batch, int from, int to,
                                         int offset, int length) {
        long[] previous = new long[batch];
        double worst = 0;
        for (int t = from; t < to; t++) {
            previousTokens(previous, sequence, t, offset, length);
            float[] x = a.step(previous, t).clone();
            float[] y = b.step(previous, t);
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }
}
