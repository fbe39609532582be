package dev.segue.engine.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.Labels;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.StepSession;
import java.util.ArrayList;
import java.util.List;

/**
 * Primed sampling within one window of a prior: the prime is prefilled in chunks into a key/value cache,
 * then tokens are drawn one cached step at a time. When all candidates share one prime it is prefilled
 * once at batch 1 and the cache is repeated, so N candidates cost one prefill.
 */
public final class PrimedSampler {
    private final Prior prior;

    public PrimedSampler(Prior prior) {
        this.prior = prior;
    }

    /**
     * One window's request. {@code primes} has 1 row (shared) or one row per candidate. {@code traits} places
     * the prime's tempo and pitch on this window for a beat-clocked prior, else null.
     */
    public record Request(long[][] primes, int candidates, int totalTokens, List<Labels> labels, long[][] upperCodes,
                          SamplingParams params, int chunkSize, PrimeTraits.At traits) {
        public Request(long[][] primes, int candidates, int totalTokens, List<Labels> labels, long[][] upperCodes,
                       SamplingParams params, int chunkSize) {
            this(primes, candidates, totalTokens, labels, upperCodes, params, chunkSize, null);
        }
    }

    /** Returns (candidates, totalTokens) tokens: each prime followed by its continuation. */
    public long[][] sample(NDManager parent, Request r, SamplingMonitor monitor) {
        try (OpenWindow window = sampleKeepingOpen(parent, r, monitor)) {
            return window.tokens();
        }
    }

    /**
     * A sampled window whose key/value cache and step session stay open, so that the next window can go on
     * from them ({@link #continueWindow}) instead of re-prefilling its context. Close it to free the cache.
     */
    public static final class OpenWindow implements AutoCloseable {
        private final NDManager manager;
        private final StepSession steps;
        private long[][] tokens;

        private OpenWindow(NDManager manager, StepSession steps, long[][] tokens) {
            this.manager = manager;
            this.steps = steps;
            this.tokens = tokens;
        }

        /** (candidates, window length) tokens of the last window sampled, in that window's positions. */
        public long[][] tokens() {
            return tokens;
        }

        /** Positions the cache holds: the last window's length. */
        public int length() {
            return tokens[0].length;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** As {@link #sample}, keeping the window open; the caller closes it. */
    public OpenWindow sampleKeepingOpen(NDManager parent, Request r, SamplingMonitor monitor) {
        int primeLen = validate(r);
        int b = r.primes().length;
        int n = r.candidates();
        long[][] tokens = new long[n][r.totalTokens()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(r.primes()[b == 1 ? 0 : i], 0, tokens[i], 0, primeLen);
        }
        NDManager m = parent.newSubManager();
        try {
            // Malformed codes are refused for any prior; only upsamplers go on to read them.
            long[] upperFlat = r.upperCodes() == null ? null : flatten(r.upperCodes());
            NDArray upper = upperFlat == null || !prior.isUpsampler() ? null
                    : m.create(upperFlat, new Shape(r.upperCodes().length, r.upperCodes()[0].length));
            Conditioning cond = prior.condition(m, b, labelsFor(r.labels(), b), upper,
                    r.traits() == null ? null : List.of(r.traits()));
            KvCache cache = prior.newCache(m, b);
            prefill(prior, m, cache, cond, r.primes(), primeLen, Math.max(1, r.chunkSize()), r.totalTokens(), monitor);
            cache.expand(n);
            cond = cond.expand(n);
            monitor.progress(primeLen, r.totalTokens());
            StepSession steps = prior.openSteps(m, cache, cond);
            stepThrough(steps, tokens, primeLen, r.totalTokens(), new TokenSampler(r.params(), n, prior.bins()), monitor);
            return new OpenWindow(m, steps, tokens);
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /**
     * Samples the next window from an open one, with no prefill: the window starts {@code shift} positions
     * after the open one (0: the same window, longer), so the open cache already holds its context, the
     * open window's last {@code length - shift} tokens. {@code shift} > 0 is not exact: see
     * {@link StepSession#shift}. Returns (candidates, totalTokens) tokens in the new window's positions.
     */
    public long[][] continueWindow(OpenWindow open, int shift, int totalTokens, SamplingParams params,
                                   SamplingMonitor monitor) {
        int known = open.length() - shift;
        if (shift < 0 || known < 1) {
            throw new IllegalArgumentException("cannot move a window of " + open.length() + " positions by " + shift);
        }
        if (totalTokens <= known || totalTokens > prior.contextLength()) {
            throw new IllegalArgumentException("total tokens " + totalTokens + " must exceed the kept context ("
                    + known + ") and fit the window (" + prior.contextLength() + ")");
        }
        if (shift > 0) {
            open.steps.shift(shift);
        }
        int n = open.tokens.length;
        long[][] tokens = new long[n][totalTokens];
        for (int i = 0; i < n; i++) {
            System.arraycopy(open.tokens[i], shift, tokens[i], 0, known);
        }
        monitor.progress(known, totalTokens);
        stepThrough(open.steps, tokens, known, totalTokens, new TokenSampler(params, n, prior.bins()), monitor);
        open.tokens = tokens;
        return tokens;
    }

    /** Cached steps from position {@code from} to {@code to}, each candidate's token drawn from its logits. */
    private void stepThrough(StepSession steps, long[][] tokens, int from, int to, TokenSampler sampler,
                             SamplingMonitor monitor) {
        int n = tokens.length;
        long[] previous = new long[n];
        long[] next = new long[n];
        for (int t = from; t < to; t++) {
            if (monitor.cancelled()) {
                throw new CancelledException(t);
            }
            for (int i = 0; i < n; i++) {
                previous[i] = t == 0 ? 0 : tokens[i][t - 1];
            }
            float[] logits = steps.step(previous, t);
            if (monitor.wantsLogits()) {
                monitor.logits(t, 1, logits);
            }
            sampler.sample(logits, prior.bins(), next);
            for (int i = 0; i < n; i++) {
                tokens[i][t] = next[i];
            }
            monitor.tokens(t + 1, tokens);
            monitor.progress(t + 1, tokens[0].length);
        }
    }

    /**
     * Prefills {@code cache} with the first {@code primeLen} positions of each prime row, {@code chunk} positions
     * at a time (position 0 is the start token; position i reads the prime's token i - 1). Shared by sampling
     * and {@link WindowScoring}, so both compute a window's context the same way.
     */
    static void prefill(Prior prior, NDManager m, KvCache cache, Conditioning cond, long[][] primes, int primeLen,
                        int chunk, int totalTokens, SamplingMonitor monitor) {
        int b = primes.length;
        for (int start = 0; start < primeLen; start += chunk) {
            if (monitor.cancelled()) {
                throw new CancelledException(start);
            }
            int c = Math.min(chunk, primeLen - start);
            long[] previous = new long[b * c];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < c; j++) {
                    int pos = start + j;
                    previous[i * c + j] = pos == 0 ? 0 : primes[i][pos - 1];
                }
            }
            try (NDManager step = m.newSubManager()) {
                NDArray logits = prior.forward(cache, cond, step.create(previous, new Shape(b, c)), start);
                if (monitor.wantsLogits()) {
                    monitor.logits(start, c, logits.toFloatArray());
                }
            }
            monitor.progress(start + c, totalTokens);
        }
    }

    private int validate(Request r) {
        int n = r.candidates();
        long[][] primes = r.primes();
        if (n < 1) {
            throw new IllegalArgumentException("need at least one candidate");
        }
        if (primes == null || primes.length == 0 || (primes.length != 1 && primes.length != n)) {
            throw new IllegalArgumentException("give one prime shared by all candidates, or one per candidate");
        }
        if (primes[0] == null) {
            throw new IllegalArgumentException("prime rows must not be null");
        }
        int primeLen = primes[0].length;
        for (long[] p : primes) {
            if (p == null || p.length != primeLen) {
                throw new IllegalArgumentException("primes of one request must have equal length");
            }
            for (long token : p) {
                if (token < 0 || token >= prior.bins()) {
                    throw new IllegalArgumentException("prime token " + token + " outside 0.." + (prior.bins() - 1));
                }
            }
        }
        if (r.totalTokens() <= primeLen || r.totalTokens() > prior.contextLength()) {
            throw new IllegalArgumentException("total tokens " + r.totalTokens() + " must exceed the prime ("
                    + primeLen + ") and fit the window (" + prior.contextLength() + ")");
        }
        return primeLen;
    }

    private static List<Labels> labelsFor(List<Labels> labels, int batch) {
        if (labels == null || labels.size() == batch) {
            return labels;
        }
        if (labels.size() == 1) {
            List<Labels> out = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                out.add(labels.get(0));
            }
            return out;
        }
        throw new IllegalArgumentException("give one label row, or one per prime");
    }

    private static long[] flatten(long[][] rows) {
        if (rows.length == 0 || rows[0] == null || rows[0].length == 0) {
            throw new IllegalArgumentException("upper-level codes must have at least one non-empty row");
        }
        int w = rows[0].length;
        long[] out = new long[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != w) {
                throw new IllegalArgumentException("upper-level code rows must have equal length");
            }
            System.arraycopy(rows[i], 0, out, i * w, w);
        }
        return out;
    }
}
