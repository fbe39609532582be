package dev.segue.engine.prior;

/** Cached single-token steps after a prefill: logits (candidates, bins) for position t from the tokens at t - 1. */
public interface StepSession {
    float[] step(long[] previous, int t);

    /**
     * Drops the first {@code positions} cached positions and moves the rest to the front, so sampling can go
     * on in a window that starts that much later without a re-prefill. Not exact: the moved keys and values
     * were computed at their old positions (the priors add absolute position embeddings at the input) and
     * with the dropped positions in view. {@code positions} must be a multiple of the block length, so the
     * factorized attention's blocks stay aligned.
     */
    default void shift(int positions) {
        throw new UnsupportedOperationException("this step session cannot move its window");
    }
}
