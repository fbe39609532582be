package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;

/**
 * What a prior is conditioned on for one window: the start embedding (B, W) that replaces the first
 * input token, the per-position conditioning (B, sequence, W) added to every input and output (timing
 * for the top prior, zero over the lyric tokens of a joint lyrics sequence, upsampled upper codes for the
 * upsamplers) or null when there is none, and the lyrics encoder's states (B, n_tokens, W) that the
 * encoder-decoder layers attend to, or null for a prior without a separate lyrics encoder.
 */
public record Conditioning(NDArray start, NDArray perPosition, NDArray encoderStates) {
    public Conditioning(NDArray start, NDArray perPosition) {
        this(start, perPosition, null);
    }

    public int batch() {
        return (int) start.getShape().get(0);
    }

    /** Each row repeated {@code times} times in place, as {@link KvCache#repeatEachRow} repeats the cache. */
    public Conditioning repeatEachRow(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("rows must be repeated at least once, got " + times);
        }
        if (times == 1) {
            return this;
        }
        return new Conditioning(start.repeat(0, times), perPosition == null ? null : perPosition.repeat(0, times),
                encoderStates == null ? null : encoderStates.repeat(0, times));
    }
}
