package dev.segue.engine.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.WindowedSampler;
import dev.segue.engine.vqvae.VqVae;
import java.util.Arrays;
import java.util.List;

/**
 * What an upsampler and its level's decoder make of known codes of the level above: the clip's true codes of
 * that level, the prime's codes of the upsampler's level as sampling gives them, the rest sampled window by
 * window as the pipeline does, and the whole decoded. Set against the audio the codes came from, it measures
 * the deeper tier's rendering apart from what the top prior samples.
 */
final class DraftRendering {
    private DraftRendering() {}

    /**
     * The rendering of {@code audio[primeFrames ..]}: {@code audio.length - primeFrames} samples. The audio is whole
     * hops of the level above the upsampler; the prime's codes are those of its whole hops, as the pipeline cuts a
     * prime, and everything after them is sampled.
     */
    static float[] continuation(NDManager root, VqVae vqvae, Prior upsampler, float[] audio, int primeFrames,
                                SamplingParams params) {
        int level = upsampler.config().level();
        int hop = vqvae.config().hopLength(level);
        int upperHop = vqvae.config().hopLength(level + 1);
        if (!upsampler.isUpsampler() || audio.length % upperHop != 0 || primeFrames < upperHop
                || primeFrames > audio.length) {
            throw new IllegalArgumentException("a draft rendering needs an upsampler, audio of whole hops of the level "
                    + "above and a prime of at least one");
        }
        try (NDManager m = root.newSubManager()) {
            long[] upper = vqvae.encode(m.create(audio, new Shape(1, audio.length)), level + 1).toLongArray();
            float[] prime = Arrays.copyOf(audio, primeFrames / upperHop * upperHop);
            long[] known = vqvae.encode(m.create(prime, new Shape(1, prime.length)), level).toLongArray();
            int total = audio.length / hop;
            // Upsamplers sample on the neutral label row, as the pipeline samples them.
            List<LabelRow> labels = upsampler.config().labels() ? LabelRow.neutral(upsampler.config()) : null;
            long[][] tokens = new WindowedSampler(upsampler, ContinuationPipeline.UPSAMPLER_HOP_FRACTION)
                    .sample(m, new long[][] {known}, 1, total, new long[][] {upper}, labels, params, new Monitor() {});
            float[] decoded = vqvae.decode(m.create(tokens[0], new Shape(1, total)), level).toFloatArray();
            return Arrays.copyOfRange(decoded, primeFrames, audio.length);
        }
    }
}
