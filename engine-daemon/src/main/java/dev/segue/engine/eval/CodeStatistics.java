package dev.segue.engine.eval;

/**
 * Statistics of discrete codes: codebook usage (perplexity = 2^entropy of the code histogram, from 1 when
 * one code is used to the codebook size when all are used equally) and a unigram model, the baseline a
 * prior must beat: a prior that ignores context cannot do better than the code frequencies.
 */
public final class CodeStatistics {
    private final long[] counts;
    private long total;

    public CodeStatistics(int bins) {
        if (bins < 1 || bins > (1 << 20)) {
            throw new IllegalArgumentException("codebook of " + bins + " bins");
        }
        counts = new long[bins];
    }

    public void add(long[] codes) {
        for (long c : codes) {
            if (c < 0 || c >= counts.length) {
                throw new IllegalArgumentException("code " + c + " outside 0.." + (counts.length - 1));
            }
            counts[(int) c]++;
        }
        total += codes.length;
    }

    public long total() {
        return total;
    }

    public int used() {
        int n = 0;
        for (long c : counts) {
            n += c > 0 ? 1 : 0;
        }
        return n;
    }

    /** Entropy of the empirical code distribution, in bits. */
    public double entropyBits() {
        if (total == 0) {
            throw new IllegalStateException("no codes counted");
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(2);
    }

    public double perplexity() {
        return Math.pow(2, entropyBits());
    }

    /**
     * Bits per token of {@code codes} under this histogram as a unigram model, add-{@code alpha} smoothed
     * so that codes unseen here cost a finite number of bits.
     */
    public double unigramBitsPerToken(long[] codes, double alpha) {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("smoothing must be positive");
        }
        double denominator = total + alpha * counts.length;
        double bits = 0;
        for (long c : codes) {
            bits -= Math.log((counts[(int) c] + alpha) / denominator);
        }
        return bits / codes.length / Math.log(2);
    }
}
