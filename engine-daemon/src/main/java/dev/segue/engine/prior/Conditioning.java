package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;

/**
 * What a prior is conditioned on for one window: the start embedding (B, W) that replaces the first
 * input token, and the per-position conditioning (B, n_ctx, W) added to every input and output (timing
 * for the top prior, upsampled upper codes for the upsamplers), or null when there is none.
 */
public record Conditioning(NDArray start, NDArray perPosition) {
    public int batch() {
        return (int) start.getShape().get(0);
    }

    /** The same conditioning repeated for {@code n} candidates of a batch-1 request. */
    public Conditioning expand(int n) {
        if (n == batch()) {
            return this;
        }
        return new Conditioning(start.repeat(0, n), perPosition == null ? null : perPosition.repeat(0, n));
    }
}
