package dev.segue.engine.sampling;

import dev.segue.engine.nn.VectorMath;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws the next token of each candidate from its logits on the Java side: the logits of a step are a few
 * kilobytes, and drawing here gives every candidate its own reproducible stream (seed + candidate index),
 * independent of thread counts or the device. Reuses its scratch arrays; not thread-safe.
 */
public final class TokenSampler {
    private final SamplingParams params;
    private final SplittableRandom[] streams;
    private final float[] scratch;
    private final float[] weights;
    private final Integer[] order;

    public TokenSampler(SamplingParams params, int candidates, int bins) {
        this.params = params;
        this.streams = new SplittableRandom[candidates];
        for (int i = 0; i < candidates; i++) {
            // Candidate i of seed s draws from stream s + i: the same take whatever N is, and a single-candidate
            // request with seed s + i reproduces it (the protocol reports that seed with each result).
            streams[i] = new SplittableRandom(params.seed() + i);
        }
        this.scratch = new float[bins];
        this.weights = new float[bins];
        this.order = new Integer[bins];
    }

    /** Picks one token per candidate from logits laid out (candidates, bins). */
    public void sample(float[] logits, int bins, long[] out) {
        for (int n = 0; n < out.length; n++) {
            out[n] = sampleOne(logits, n * bins, bins, streams[n]);
        }
    }

    private int sampleOne(float[] logits, int offset, int bins, SplittableRandom random) {
        if (params.topK() == 1) {
            return argMax(logits, offset, bins);
        }
        float[] x = scratch;
        float invTemp = (float) (1.0 / params.temperature());
        for (int i = 0; i < bins; i++) {
            x[i] = logits[offset + i] * invTemp;
        }
        if (params.topK() > 0 && params.topK() < bins) {
            float[] sorted = Arrays.copyOf(x, bins);
            Arrays.sort(sorted);
            float kth = sorted[bins - params.topK()];
            for (int i = 0; i < bins; i++) {
                if (x[i] < kth) {
                    x[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < bins; i++) {
            max = Math.max(max, x[i]);
        }
        // Unnormalised probabilities, computed once and reused by the nucleus cut and the draw.
        float[] p = weights;
        VectorMath.expShifted(x, 0, max, p, 0, bins);
        double total = 0;
        for (int i = 0; i < bins; i++) {
            total += p[i];
        }
        if (params.topP() > 0 && params.topP() < 1) {
            total = nucleus(x, p, bins, total);
        }
        double u = random.nextDouble() * total;
        double acc = 0;
        int last = 0;
        for (int i = 0; i < bins; i++) {
            if (p[i] == 0f) {
                continue;
            }
            acc += p[i];
            last = i;
            if (u < acc) {
                return i;
            }
        }
        return last;
    }

    /**
     * Keeps the smallest set of most likely tokens whose probability exceeds top-p (always at least one),
     * zeroing the rest; returns the kept total.
     */
    private double nucleus(float[] x, float[] p, int bins, double total) {
        for (int i = 0; i < bins; i++) {
            order[i] = i;
        }
        Arrays.sort(order, 0, bins, (a, b) -> Float.compare(x[b], x[a]));
        double cumulative = 0;
        double kept = 0;
        boolean cut = false;
        for (int r = 0; r < bins; r++) {
            int i = order[r];
            if (cut) {
                p[i] = 0f;
                continue;
            }
            cumulative += p[i] / total;
            kept += p[i];
            if (cumulative > params.topP()) {
                cut = true;
            }
        }
        return kept;
    }

    private static int argMax(float[] logits, int offset, int bins) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < bins; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
