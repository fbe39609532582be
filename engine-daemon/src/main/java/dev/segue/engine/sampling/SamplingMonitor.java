package dev.segue.engine.sampling;

/**
 * Progress and abort hooks for a sampling run, in the spirit of whisper.cpp's callbacks: the sampler
 * reports after each token and stops between tokens as soon as {@link #cancelled()} says so.
 */
public interface SamplingMonitor {
    SamplingMonitor NONE = new SamplingMonitor() {};

    default void progress(int tokensDone, int tokensTotal) {}

    /**
     * After each sampled token: the candidates' tokens so far, positions [0, done). The array is live and
     * reused; read it during the call, never keep it.
     */
    default void tokens(int done, long[][] tokens) {}

    default boolean cancelled() {
        return false;
    }

    /** Logits (batch, count, bins) for positions [position, position + count); only conformance needs them. */
    default void logits(int position, int count, float[] values) {}

    default boolean wantsLogits() {
        return false;
    }
}
