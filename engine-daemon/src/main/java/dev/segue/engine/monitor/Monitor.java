package dev.segue.engine.monitor;

/**
 * The one progress-and-abort callback of a job, in the spirit of whisper.cpp's: the daemon's job runner makes
 * one, and the same type passes down through the continuation engine, the pipeline, the windowed sampler and
 * the primed sampler, each layer handing the next either it or a wrapper that turns the layer's own positions
 * into the caller's. Every hook has a do-nothing default, so a caller implements only what it reads.
 *
 * <p>Threads: every call comes on the thread that runs the job. {@link #cancelled()} is asked between tokens
 * and between the chunks of encoding and decoding, so an implementation answers from a flag, at once.
 */
public interface Monitor {
    /** Reads nothing and never cancels. */
    Monitor NONE = new Monitor() {};

    /** Tokens done of the total at {@code level} (the top prior's level first, then each upsampler's). */
    default void progress(int level, long done, long total) {}

    /** Whether the job should stop; checked between tokens and chunks. */
    default boolean cancelled() {
        return false;
    }

    /** The job waits on something before its tokens at {@code level}, such as {@code "loading prior"}. */
    default void stage(int level, String stage) {}

    /** Rough early audio of one take, samples [offset, offset + audio.length), while it is made. */
    default void preview(int take, long offsetFrames, float[] audio) {}

    /** After each window of a level: its context and new tokens, and the time prefill and sampling took. */
    default void window(int level, int contextTokens, int newTokens, long prefillNanos, long sampleNanos) {}

    /**
     * After each sampled token: every take's tokens at {@code level} so far, positions [0, done). The array is
     * live and reused; read it during the call, never keep it.
     */
    default void tokens(int level, int done, long[][] tokens) {}

    /** Whether {@link #logits} should be called at all (it costs a copy per step); only conformance asks. */
    default boolean wantsLogits() {
        return false;
    }

    /** Logits (batch, count, bins) for positions [position, position + count) of the window at {@code level}. */
    default void logits(int level, int position, int count, float[] values) {}
}
