package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.StepSession;
import java.util.List;

/**
 * How well a top prior predicts a real code sequence when it is walked window by window as sampling walks
 * it (the same {@link WindowPlan}, the same cached steps), teacher-forced: each position is fed the true
 * code. Under {@link WindowCache#REPREFILL} every window prefills its context, which is what the reference
 * computes; under {@link WindowCache#SHIFT} later windows reuse the moved cache. The difference in bits per
 * token is what the shortcut costs in modelling, measured on music rather than guessed.
 */
public final class WindowScoring {
    private WindowScoring() {}

    /** Mean bits per token over codes [known, codes.length), and how many tokens that is. */
    public record Score(double bitsPerToken, int tokens, int windows, int prefilledWindows) {}

    /**
     * {@code traits}: for a beat-clocked prior, the prime's (clock at code 0), else null. A beat-clocked prior
     * re-prefills every window, as its sampler does, so its score is the same under every policy.
     */
    public static Score score(NDManager parent, Prior prior, long[] codes, PrimeTraits traits, int known,
                              WindowCache policy) {
        if ((traits != null) != prior.hasBeatClock()) {
            throw new IllegalArgumentException(prior.hasBeatClock() ? "this prior has a beat clock: give the prime's traits"
                    : "this prior has no beat clock to take traits");
        }
        int nCtx = prior.config().nCtx();
        WindowPlan plan = WindowPlan.of(known, codes.length, nCtx, ContinuationPipeline.TOP_HOP_FRACTION, 1);
        List<LabelRow> labels = prior.config().labels() ? LabelRow.neutral(prior.config()) : null;
        double nats = 0;
        int scored = 0;
        int prefilled = 0;
        NDManager open = null;
        StepSession steps = null;
        int openStart = 0;
        int openLength = 0;
        try {
            for (WindowPlan.Window win : plan.windows()) {
                int shift = win.start() - openStart;
                boolean goOn = steps != null && policy != WindowCache.REPREFILL && traits == null && shift >= 0
                        && openLength - shift == win.contextTokens()
                        && shift % prior.config().blockCtx() == 0;
                if (goOn && shift > 0) {
                    steps.shift(shift);
                } else if (!goOn) {
                    if (open != null) {
                        open.close();
                    }
                    open = parent.newSubManager();
                    steps = prefilled(open, prior, labels, traits == null ? null
                            : List.of(traits.at(win.start() * prior.secondsPerToken())), codes, win.start(),
                            win.contextTokens());
                    prefilled++;
                }
                long[] previous = new long[1];
                for (int t = win.contextTokens(); t < win.end() - win.start(); t++) {
                    previous[0] = t == 0 ? 0 : codes[win.start() + t - 1];
                    float[] logits = steps.step(previous, t);
                    nats += negativeLogLikelihood(logits, (int) codes[win.start() + t]);
                    scored++;
                }
                openStart = win.start();
                openLength = win.end() - win.start();
            }
        } finally {
            if (open != null) {
                open.close();
            }
        }
        return new Score(nats / scored / Math.log(2), scored, plan.windows().size(), prefilled);
    }

    /** A step session over a cache prefilled with codes [start, start + context), as a window's prime. */
    private static StepSession prefilled(NDManager m, Prior prior, List<LabelRow> labels, List<PrimeTraits.At> traits,
                                         long[] codes, int start, int context) {
        Conditioning cond = prior.condition(m, 1, labels, null, traits);
        KvCache cache = prior.newCache(m, 1);
        long[][] prime = {java.util.Arrays.copyOfRange(codes, start, start + context)};
        PrimedSampler.prefill(prior, m, cache, cond, prime, context, Math.max(1, prior.config().nCtx() / 8), context,
                new Monitor() {});
        return prior.openSteps(m, cache, cond);
    }

    private static double negativeLogLikelihood(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return Math.log(sum) + max - logits[target];
    }
}
