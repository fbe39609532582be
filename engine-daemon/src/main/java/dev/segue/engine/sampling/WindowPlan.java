package dev.segue.engine.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the windows of one level go when prime + continuation exceed the prior's context. Each window
 * keeps the last {@code nCtx - hop} known tokens as its context and samples up to {@code hop} new ones,
 * as the reference's {@code sample_level} does with its hop fraction. An upsampler's window must start on
 * a code of the level above, so starts are rounded up to a multiple of {@code upperRatio}. The first window
 * may sample up to half the context at once (never less than a hop): it has only the prime behind it, and
 * one window instead of several saves their re-prefills.
 */
public record WindowPlan(List<Window> windows) {

    /** Window [start, end) of the level; positions [start, known) are context, [known, end) are sampled. */
    public record Window(int start, int known, int end) {
        public int contextTokens() {
            return known - start;
        }

        public int newTokens() {
            return end - known;
        }
    }

    public static WindowPlan of(int knownTokens, int totalTokens, int nCtx, double hopFraction, int upperRatio) {
        if (nCtx < 2 || upperRatio < 1 || nCtx % upperRatio != 0) {
            throw new IllegalArgumentException("context " + nCtx + " must be at least 2 and a multiple of " + upperRatio);
        }
        if (knownTokens < 0 || totalTokens <= knownTokens) {
            throw new IllegalArgumentException("need more tokens (" + totalTokens + ") than known (" + knownTokens + ")");
        }
        if (!(hopFraction > 0 && hopFraction <= 1)) {
            throw new IllegalArgumentException("hop fraction must be in (0, 1], got " + hopFraction);
        }
        int hop = Math.max(1, Math.min(nCtx - 1, (int) Math.round(nCtx * hopFraction)));
        List<Window> out = new ArrayList<>();
        int known = knownTokens;
        while (known < totalTokens) {
            int step = out.isEmpty() ? Math.max(hop, nCtx / 2) : hop;
            int end = Math.min(known + step, totalTokens);
            int start = Math.max(0, end - nCtx);
            start = Math.min(roundUp(start, upperRatio), known - known % upperRatio);
            // The context is as long as the window allows: a short tail still sees nCtx - its length tokens.
            end = Math.min(start + nCtx, totalTokens);
            out.add(new Window(start, known, end));
            known = end;
        }
        return new WindowPlan(List.copyOf(out));
    }

    private static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }
}
