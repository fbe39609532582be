package dev.segue.engine.sampling;

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

    /** Rough early audio of one candidate while it is sampled: samples [offset, offset + audio.length). */
    public interface PreviewSink {
        void preview(int candidate, long offsetFrames, float[] audio);
    }

    /** New tokens between two previews: a preview decodes, so it costs time on the sampling thread. */
    static final int PREVIEW_EVERY_TOKENS = 32;

    public float[][] continueAudio(NDManager parent, float[] prime, long frames, int candidates, List<Labels> labels,
                                   SamplingParams params, SamplingMonitor monitor) {
        return continueAudio(parent, prime, frames, candidates, labels, params, monitor, null);
    }

    /**
     * @param prime mono audio at the model rate, at least one hop long
     * @param frames samples of continuation to return per candidate
     * @param previews receives each candidate's newly sampled audio every {@link #PREVIEW_EVERY_TOKENS}
     *     tokens, decoded without its right context (so rough at its end); null for none
     */
    public float[][] continueAudio(NDManager parent, float[] prime, long frames, int candidates, List<Labels> labels,
                                   SamplingParams params, SamplingMonitor monitor, PreviewSink previews) {
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
            SamplingMonitor watched = previews == null ? monitor
                    : new PreviewingMonitor(monitor, previews, m, primeTokens, frames);
            long[][] tokens = new PrimedSampler(top).sample(m, new PrimedSampler.Request(new long[][] {codes},
                    candidates, primeTokens + newTokens, labels, null, params, Math.max(1, top.config().nCtx() / 8)),
                    watched);
            float[][] out = new float[candidates][];
            for (int c = 0; c < candidates; c++) {
                out[c] = decodeContinuation(m, tokens[c], primeTokens, primeTokens + newTokens, frames);
            }
            return out;
        }
    }

    /**
     * Audio of the tokens [primeTokens, end), cut to at most {@code frames} samples. A few prime codes are
     * decoded in front so the decoder's receptive field spans the seam, then their samples are dropped:
     * the audio starts at the first sample after the prime.
     */
    private float[] decodeContinuation(NDManager m, long[] tokens, int primeTokens, int end, long frames) {
        int context = Math.min(primeTokens, SEAM_CONTEXT_TOKENS);
        long[] span = Arrays.copyOfRange(tokens, primeTokens - context, end);
        try (NDManager scope = m.newSubManager()) {
            float[] all = vqvae.decode(scope.create(span, new Shape(1, span.length)), level).toFloatArray();
            int length = (int) Math.min(frames, (long) (end - primeTokens) * hop);
            return Arrays.copyOfRange(all, context * hop, context * hop + length);
        }
    }

    /** Passes everything through, and every few tokens decodes what is new and hands it to the sink. */
    private final class PreviewingMonitor implements SamplingMonitor {
        private final SamplingMonitor inner;
        private final PreviewSink sink;
        private final NDManager manager;
        private final int primeTokens;
        private final long frames;
        private long sent;

        PreviewingMonitor(SamplingMonitor inner, PreviewSink sink, NDManager manager, int primeTokens, long frames) {
            this.inner = inner;
            this.sink = sink;
            this.manager = manager;
            this.primeTokens = primeTokens;
            this.frames = frames;
        }

        @Override
        public void progress(int done, int total) {
            inner.progress(done, total);
        }

        @Override
        public boolean cancelled() {
            return inner.cancelled();
        }

        @Override
        public void tokens(int done, long[][] tokens) {
            inner.tokens(done, tokens);
            int fresh = done - primeTokens;
            if (fresh <= 0 || fresh % PREVIEW_EVERY_TOKENS != 0) {
                return;
            }
            long end = Math.min(frames, (long) fresh * hop);
            if (end <= sent) {
                return;
            }
            for (int c = 0; c < tokens.length; c++) {
                float[] audio = decodeContinuation(manager, tokens[c], primeTokens, done, frames);
                sink.preview(c, sent, Arrays.copyOfRange(audio, (int) sent, (int) end));
            }
            sent = end;
        }
    }
}
