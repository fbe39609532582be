package dev.segue.engine.eval;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.TeacherForcing;
import java.util.List;

/**
 * Teacher-forced cross-entropy of a top-level prior on code sequences: windows of n_ctx tokens laid end to
 * end, each starting from the prior's start embedding (as training sees them), fed in chunks through the
 * same forward pass that prefill uses.
 */
final class PriorScoring {
    private PriorScoring() {}

    private static final int CHUNK = 64;

    /** Running sum of bits and tokens. */
    static final class Tally {
        double bits;
        long tokens;

        double bitsPerToken() {
            return tokens == 0 ? Double.NaN : bits / tokens;
        }
    }

    /** {@code traits}: the prime's, for a beat-clocked prior (its clock starting at code 0), else null. */
    static void score(NDManager parent, Prior prior, long[] codes, PrimeTraits traits, Tally tally) {
        score(parent, prior, codes, traits, 0, tally);
    }

    /** As {@link #score(NDManager, Prior, long[], PrimeTraits, Tally)}, tallying only the positions from {@code from} on. */
    static void score(NDManager parent, Prior prior, long[] codes, PrimeTraits traits, int from, Tally tally) {
        int nCtx = prior.config().nCtx();
        List<LabelRow> labels = prior.config().labels() ? LabelRow.neutral(prior.config()) : null;
        for (int windowStart = 0; windowStart < codes.length; windowStart += nCtx) {
            int n = Math.min(nCtx, codes.length - windowStart);
            try (NDManager m = parent.newSubManager()) {
                Conditioning cond = prior.condition(m, 1, labels, null,
                        traits == null ? null : List.of(traits.at(windowStart * prior.secondsPerToken())));
                try (KvCache cache = prior.newCache(m, 1)) {
                    int offset = windowStart;
                    TeacherForcing.run(prior, m, cache, cond, new long[][] {codes}, offset, n, CHUNK, (start, c, out) -> {
                        float[] logits = out.toFloatArray();
                        int bins = prior.bins();
                        for (int j = 0; j < c; j++) {
                            if (offset + start + j >= from) {
                                tally.bits += crossEntropyBits(logits, j * bins, bins, (int) codes[offset + start + j]);
                                tally.tokens++;
                            }
                        }
                    });
                }
            }
        }
    }

    /** −log2 softmax(logits)[target], in double precision. */
    static double crossEntropyBits(float[] logits, int offset, int bins, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < bins; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double z = 0;
        for (int i = 0; i < bins; i++) {
            z += Math.exp(logits[offset + i] - max);
        }
        return (Math.log(z) + max - logits[offset + target]) / Math.log(2);
    }
}
