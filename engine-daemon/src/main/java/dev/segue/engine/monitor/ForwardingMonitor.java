package dev.segue.engine.monitor;

/**
 * A {@link Monitor} that hands every call to another: a layer that changes one thing on the way (previews
 * stretched or resampled, tokens turned into previews) overrides that call alone, and the rest still reach
 * the caller's monitor.
 */
public class ForwardingMonitor implements Monitor {
    protected final Monitor inner;

    public ForwardingMonitor(Monitor inner) {
        this.inner = inner;
    }

    @Override
    public void progress(int level, long done, long total) {
        inner.progress(level, done, total);
    }

    @Override
    public boolean cancelled() {
        return inner.cancelled();
    }

    @Override
    public void stage(int level, String stage) {
        inner.stage(level, stage);
    }

    @Override
    public void preview(int take, long offsetFrames, float[] audio) {
        inner.preview(take, offsetFrames, audio);
    }

    @Override
    public void window(int level, int contextTokens, int newTokens, long prefillNanos, long sampleNanos) {
        inner.window(level, contextTokens, newTokens, prefillNanos, sampleNanos);
    }

    @Override
    public void tokens(int level, int done, long[][] tokens) {
        inner.tokens(level, done, tokens);
    }

    @Override
    public boolean wantsLogits() {
        return inner.wantsLogits();
    }

    @Override
    public void logits(int level, int position, int count, float[] values) {
        inner.logits(level, position, count, values);
    }
}
