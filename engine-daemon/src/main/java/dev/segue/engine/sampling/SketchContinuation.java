package dev.segue.engine.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.prior.Labels;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.util.Arrays;
import java.util.List;

/**
 * The top level only ("sketch" tier) of a continuation, within one window of the top prior: the prime is
 * cut to the hop grid at its END (so the seam sits exactly where the prime stops), encoded, continued into
 * N candidates from one shared prefill, and each candidate's new codes are decoded and cut to exactly the
 * asked length. Audio is mono at the model's rate. Resampling, bars, windows beyond the context and the
 * upsamplers belong to the full continuation pipeline.
 */
public final class SketchContinuation {
    /** Prime codes decoded ahead of the continuation so the seam is decoded with its left context. */
    private static final int SEAM_CONTEXT_TOKENS = 8;

    private final VqVae vqvae;
    private final Prior top;
    private final int level;
    private final int hop;

    public SketchContinuation(VqVae vqvae, Prior top) {
        this.vqvae = vqvae;
        this.top = top;
        this.level = top.config().level();
        this.hop = vqvae.config().hopLength(level);
    }

    /** Longest continuation this model can give in one window, in samples at the model rate. */
    public long maxContinuationFrames() {
        return (long) (top.config().nCtx() - 1) * hop;
    }

    public int sampleRate() {
        return vqvae.config().sampleRate();
    }

    /**
     * @param prime mono audio at the model rate, at least one hop long
     * @param frames samples of continuation to return per candidate
     */
    public float[][] continueAudio(NDManager parent, float[] prime, long frames, int candidates, List<Labels> labels,
                                   SamplingParams params, SamplingMonitor monitor) {
        if (frames < 1 || frames > maxContinuationFrames()) {
            throw new IllegalArgumentException("continuation of " + frames + " samples outside 1.."
                    + maxContinuationFrames() + " (one window of the top prior)");
        }
        int newTokens = (int) ((frames + hop - 1) / hop);
        int room = top.config().nCtx() - newTokens;
        int primeTokens = Math.min(prime.length / hop, room);
        if (primeTokens < 1) {
            throw new IllegalArgumentException("prime shorter than one top-level hop (" + hop + " samples)");
        }
        // Keep the prime's last primeTokens * hop samples: the seam stays at the prime's final sample.
        float[] aligned = Arrays.copyOfRange(prime, prime.length - primeTokens * hop, prime.length);
        try (NDManager m = parent.newSubManager()) {
            long[] codes = vqvae.encode(m.create(aligned, new Shape(1, aligned.length)), level).toLongArray();
            long[][] tokens = new PrimedSampler(top).sample(m, new PrimedSampler.Request(new long[][] {codes},
                    candidates, primeTokens + newTokens, labels, null, params, Math.max(1, top.config().nCtx() / 8)),
                    monitor);
            // Decode with a few prime codes in front so the decoder's receptive field spans the seam, then
            // drop their samples: the take starts at the first sample after the prime.
            int context = Math.min(primeTokens, SEAM_CONTEXT_TOKENS);
            float[][] out = new float[candidates][];
            for (int c = 0; c < candidates; c++) {
                long[] span = Arrays.copyOfRange(tokens[c], primeTokens - context, primeTokens + newTokens);
                NDArray audio = vqvae.decode(m.create(span, new Shape(1, span.length)), level);
                float[] all = audio.toFloatArray();
                out[c] = Arrays.copyOfRange(all, context * hop, context * hop + (int) frames);
            }
            return out;
        }
    }
}
