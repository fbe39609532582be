package dev.segue.engine.prior;

/** Cached single-token steps after a prefill: logits (candidates, bins) for position t from the tokens at t - 1. */
public interface StepSession {
    float[] step(long[] previous, int t);
}
