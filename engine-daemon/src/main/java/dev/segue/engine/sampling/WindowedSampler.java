package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import java.util.Arrays;
import java.util.List;

/**
 * One level of a continuation, any length: the windows of a {@link WindowPlan}, each sampled by a
 * {@link PrimedSampler} whose prime is the window's known tokens. The first window shares one prefill
 * across candidates when they share the prime and nothing else differs; later windows hold each
 * candidate's own past. Upsamplers get the level above's codes for each window.
 */
public final class WindowedSampler {
    /** Offsets each window's seed so windows draw fresh numbers, while seed s+i alone still gives candidate i. */
    private static final long WINDOW_SEED_STRIDE = 0x9E3779B97F4A7C15L;

    private final Prior prior;
    private final double hopFraction;
    private final WindowCache windowCache;

    public WindowedSampler(Prior prior, double hopFraction) {
        this(prior, hopFraction, WindowCache.SHIFT);
    }

    public WindowedSampler(Prior prior, double hopFraction, WindowCache windowCache) {
        this.prior = prior;
        this.hopFraction = hopFraction;
        this.windowCache = windowCache;
    }

    /**
     * @param known 1 row shared by all candidates, or one row per candidate: the level's codes so far
     * @param upper one row per candidate of the level above's codes, covering {@code total} tokens; null for the top
     * @return (candidates, total) codes: the known ones followed by the sampled ones
     */
    public long[][] sample(NDManager m, long[][] known, int candidates, int total, long[][] upper, List<LabelRow> labels,
                           SamplingParams params, Monitor monitor) {
        return sample(m, known, candidates, total, upper, (start, length) -> labels, params, monitor);
    }

    /**
     * The label rows of one window, given where it starts on this level and how many tokens it spans: a
     * lyrics prior's rows carry the window's position in the song and the lyric tokens of that position.
     */
    public interface WindowLabels {
        List<LabelRow> forWindow(int startToken, int windowTokens);
    }

    /** As above, with label rows chosen per window. */
    public long[][] sample(NDManager m, long[][] known, int candidates, int total, long[][] upper, WindowLabels labelsOf,
                           SamplingParams params, Monitor monitor) {
        return sample(m, known, candidates, total, upper, labelsOf, null, params, monitor);
    }

    /**
     * As above, for a beat-clocked prior: {@code traits} are the prime's, their clock starting at this
     * level's position 0, and each window gets them placed at its own start.
     */
    public long[][] sample(NDManager m, long[][] known, int candidates, int total, long[][] upper, WindowLabels labelsOf,
                           PrimeTraits traits, SamplingParams params, Monitor monitor) {
        if ((traits != null) != prior.hasBeatClock()) {
            throw new IllegalArgumentException(prior.hasBeatClock() ? "this prior has a beat clock: give the prime's traits"
                    : "this prior has no beat clock to take traits");
        }
        int p = known[0].length;
        int level = prior.config().level();
        // single_enc_dec: each window is one joint sequence, its lyric tokens first, music codes shifted.
        int prefix = prior.lyricPrefix();
        int ratio = prior.isUpsampler() ? prior.config().nCtx() / prior.upperCodesPerWindow() : 1;
        WindowPlan plan = WindowPlan.of(p, total, prior.config().nCtx(), hopFraction, ratio);
        long[][] tokens = new long[candidates][total];
        for (int c = 0; c < candidates; c++) {
            System.arraycopy(known[known.length == 1 ? 0 : c], 0, tokens[c], 0, p);
        }
        PrimedSampler sampler = new PrimedSampler(prior);
        long newTotal = total - p;
        // A window can go on in the previous one's cache only when nothing but the tokens carries over:
        // the top level (an upsampler's conditioning is per window), and no lyrics (their window moves).
        // Nor with a beat clock: a shifted cache would keep the clock of the window it was opened for.
        boolean keep = windowCache != WindowCache.REPREFILL && prefix == 0 && upper == null
                && !prior.config().usesLyrics() && traits == null;
        PrimedSampler.OpenWindow open = null;
        int openStart = 0;
        try {
            for (int w = 0; w < plan.windows().size(); w++) {
                WindowPlan.Window win = plan.windows().get(w);
                boolean shared = known.length == 1 && win.known() == p && upper == null;
                long[][] primes = new long[shared ? 1 : candidates][];
                int windowLength = win.end() - win.start();
                List<LabelRow> labels = labelsOf.forWindow(win.start(), windowLength);
                for (int c = 0; c < primes.length; c++) {
                    long[] music = Arrays.copyOfRange(tokens[c], win.start(), win.known());
                    primes[c] = prefix == 0 ? music : prior.jointSequence(labels.get(0).lyrics(), music);
                }
                long[][] upperRows = upper == null ? null : upperWindow(upper, win.start() / ratio, prior.upperCodesPerWindow());
                // The prior's own calibration (temperature_scale) on top of the temperature asked for.
                SamplingParams windowParams = new SamplingParams(
                        Math.min(10, params.temperature() * prior.config().temperatureScale()), params.topK(), params.topP(),
                        params.seed() + w * WINDOW_SEED_STRIDE);
                long started = System.nanoTime();
                long[] prefilled = {0};
                // The window's positions (a lyrics prior's joint sequence included) turned into the level's.
                Monitor windowMonitor = new Monitor() {
                    @Override
                    public void progress(int windowLevel, long jointDone, long totalInWindow) {
                        int done = (int) jointDone - prefix;
                        if (done == win.contextTokens() && prefilled[0] == 0) {
                            prefilled[0] = System.nanoTime();
                        }
                        if (done >= win.known() - win.start()) { // a window's prefill is not new progress
                            monitor.progress(level, win.start() + done - p, newTotal);
                        }
                    }

                    @Override
                    public boolean cancelled() {
                        return monitor.cancelled();
                    }

                    @Override
                    public void tokens(int windowLevel, int jointDone, long[][] local) {
                        int done = jointDone - prefix;
                        if (done < 1) {
                            return;
                        }
                        int at = win.start() + done - 1;
                        for (int c = 0; c < candidates; c++) {
                            tokens[c][at] = music(local[c][jointDone - 1], prefix);
                        }
                        monitor.tokens(level, at + 1, tokens);
                    }
                };
                int shift = win.start() - openStart;
                long[][] out;
                if (open != null && goesOn(shift, open.length() - shift == win.contextTokens())) {
                    out = sampler.continueWindow(open, shift, windowLength, windowParams, windowMonitor);
                } else {
                    if (open != null) {
                        open.close();
                        open = null;
                    }
                    PrimedSampler.Request request = new PrimedSampler.Request(primes, candidates, prefix + windowLength,
                            labels, upperRows, windowParams, Math.max(1, prior.config().nCtx() / 8),
                            traits == null ? null : traits.at(win.start() * prior.secondsPerToken()));
                    if (keep) {
                        open = sampler.sampleKeepingOpen(m, request, windowMonitor);
                        out = open.tokens();
                    } else {
                        out = sampler.sample(m, request, windowMonitor);
                    }
                }
                openStart = win.start();
                for (int c = 0; c < candidates; c++) {
                    for (int i = 0; i < win.newTokens(); i++) {
                        tokens[c][win.known() + i] = music(out[c][prefix + win.contextTokens() + i], prefix);
                    }
                }
                long finished = System.nanoTime();
                long prefillEnd = prefilled[0] == 0 ? started : prefilled[0];
                monitor.window(level, win.contextTokens(), win.newTokens(), prefillEnd - started, finished - prefillEnd);
            }
        } finally {
            if (open != null) {
                open.close();
            }
        }
        return tokens;
    }

    /** Whether a window {@code shift} positions after the open one goes on in its cache under this policy. */
    private boolean goesOn(int shift, boolean contextIsTheOpenWindow) {
        if (!contextIsTheOpenWindow || shift < 0) {
            return false;
        }
        return windowCache == WindowCache.SHIFT && shift % prior.config().blockCtx() == 0;
    }

    /** A sampled token as a music code: joint tokens (single_enc_dec) lose the lyric shift, clamped at 0. */
    private long music(long token, int prefix) {
        return prefix == 0 ? token : prior.musicCode(token);
    }

    /**
     * Codes [from, from + count) of each candidate's level above. Past the end (a continuation shorter than
     * the window) the last code repeats: positions there are never sampled, and causal attention keeps them
     * out of earlier positions; only the conditioner's few look-ahead taps see them.
     */
    static long[][] upperWindow(long[][] upper, int from, int count) {
        long[][] rows = new long[upper.length][count];
        for (int c = 0; c < upper.length; c++) {
            for (int i = 0; i < count; i++) {
                rows[c][i] = upper[c][Math.min(from + i, upper[c].length - 1)];
            }
        }
        return rows;
    }
}
