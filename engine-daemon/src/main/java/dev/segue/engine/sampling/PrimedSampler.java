package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.prior.TeacherForcing;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.StepSession;
import java.util.ArrayList;
import java.util.List;

/**
 * Primed sampling within one window of a prior: the prime is prefilled in chunks into a key/value cache,
 * then tokens are drawn one cached step at a time. When all candidates share one prime it is prefilled
 * once at batch 1 and the cache is repeated, so N candidates cost one prefill.
 *
 * <p>Pitch guidance. A beat-clocked prior whose config sets {@code pitch_guidance} g > 1 samples with
 * classifier-free guidance (Ho & Salimans 2022, as MusicGen does with text): each candidate runs beside a
 * twin row told the same traits without the pitch, and its token is drawn from u + g (c - u), c and u the
 * two rows' logits; the twin is fed the same token. Measured on the default prior, nearly all of what its
 * continuations keep of the prime's pitch comes through the traits' chroma, not the prime's codes, so
 * pushing along that difference is what carries the key. It costs a second row per candidate.
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
    public record Request(long[][] primes, int candidates, int totalTokens, List<LabelRow> labels, long[][] upperCodes,
                          SamplingParams params, int chunkSize, PrimeTraits.At traits) {
        public Request(long[][] primes, int candidates, int totalTokens, List<LabelRow> labels, long[][] upperCodes,
                       SamplingParams params, int chunkSize) {
            this(primes, candidates, totalTokens, labels, upperCodes, params, chunkSize, null);
        }
    }

    /** Returns (candidates, totalTokens) tokens: each prime followed by its continuation. */
    public long[][] sample(NDManager parent, Request r, Monitor monitor) {
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
        /** Guidance scale g; 1 when the session holds no twin rows. */
        private final double guidance;
        private long[][] tokens;

        private OpenWindow(NDManager manager, StepSession steps, double guidance, long[][] tokens) {
            this.manager = manager;
            this.steps = steps;
            this.guidance = guidance;
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
    public OpenWindow sampleKeepingOpen(NDManager parent, Request r, Monitor monitor) {
        int primeLen = validate(r);
        int b = r.primes().length;
        int n = r.candidates();
        long[][] tokens = new long[n][r.totalTokens()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(r.primes()[b == 1 ? 0 : i], 0, tokens[i], 0, primeLen);
        }
        double guidance = guidance(r.traits());
        boolean twins = guidance != 1;
        // With guidance, rows b.. are the twins of rows 0..: the same primes (and labels), told no pitch.
        int rows = twins ? 2 * b : b;
        long[][] primes = twins ? twice(r.primes()) : r.primes();
        List<LabelRow> labels = twins && r.labels() != null && r.labels().size() == b ? twice(r.labels()) : r.labels();
        List<PrimeTraits.At> traits = r.traits() == null ? null : !twins ? List.of(r.traits())
                : twice(java.util.Collections.nCopies(b, r.traits()), withoutPitch(r.traits()));
        NDManager m = parent.newSubManager();
        try {
            // Malformed codes are refused for any prior; only upsamplers go on to read them.
            long[] upperFlat = r.upperCodes() == null ? null : flatten(r.upperCodes());
            NDArray upper = upperFlat == null || !prior.isUpsampler() ? null
                    : m.create(upperFlat, new Shape(r.upperCodes().length, r.upperCodes()[0].length));
            Conditioning cond = prior.condition(m, rows, labelsFor(labels, rows), upper, traits);
            KvCache cache = prior.newCache(m, rows);
            prefill(prior, m, cache, cond, primes, primeLen, Math.max(1, r.chunkSize()), r.totalTokens(), monitor);
            // Each prefilled row becomes its n / b candidates; twins stay in the second half, in the same order.
            cache.repeatEachRow(n / b);
            cond = cond.repeatEachRow(n / b);
            monitor.progress(prior.config().level(), primeLen, r.totalTokens());
            StepSession steps = prior.openSteps(m, cache, cond);
            stepThrough(steps, guidance, tokens, primeLen, r.totalTokens(), new TokenSampler(r.params(), n, prior.bins()),
                    monitor);
            return new OpenWindow(m, steps, guidance, tokens);
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /** The guidance scale this window samples with: the config's, where there is a pitch to follow. */
    private double guidance(PrimeTraits.At traits) {
        return traits != null && traits.traits().hasPitch() ? prior.config().pitchGuidance() : 1;
    }

    private static PrimeTraits.At withoutPitch(PrimeTraits.At at) {
        return new PrimeTraits.At(at.traits().withoutChroma(), at.startSeconds());
    }

    private static long[][] twice(long[][] rows) {
        long[][] out = new long[2 * rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i];
            out[rows.length + i] = rows[i];
        }
        return out;
    }

    private static <T> List<T> twice(List<T> rows) {
        List<T> out = new ArrayList<>(rows);
        out.addAll(rows);
        return out;
    }

    private static <T> List<T> twice(List<T> rows, T twin) {
        List<T> out = new ArrayList<>(rows);
        out.addAll(java.util.Collections.nCopies(rows.size(), twin));
        return out;
    }

    /**
     * Samples the next window from an open one, with no prefill: the window starts {@code shift} positions
     * after the open one (0: the same window, longer), so the open cache already holds its context, the
     * open window's last {@code length - shift} tokens. {@code shift} > 0 is not exact: see
     * {@link StepSession#shift}. Returns (candidates, totalTokens) tokens in the new window's positions.
     */
    public long[][] continueWindow(OpenWindow open, int shift, int totalTokens, SamplingParams params,
                                   Monitor monitor) {
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
        monitor.progress(prior.config().level(), known, totalTokens);
        stepThrough(open.steps, open.guidance, tokens, known, totalTokens, new TokenSampler(params, n, prior.bins()),
                monitor);
        open.tokens = tokens;
        return tokens;
    }

    /**
     * Cached steps from position {@code from} to {@code to}, each candidate's token drawn from its logits, or,
     * with guidance g != 1, from u + g (c - u) of its row and its twin's (the session then holds 2n rows).
     */
    private void stepThrough(StepSession steps, double guidance, long[][] tokens, int from, int to,
                             TokenSampler sampler, Monitor monitor) {
        int n = tokens.length;
        int bins = prior.bins();
        boolean twins = guidance != 1;
        long[] previous = new long[twins ? 2 * n : n];
        long[] next = new long[n];
        float[] guided = twins ? new float[n * bins] : null;
        for (int t = from; t < to; t++) {
            if (monitor.cancelled()) {
                throw new CancelledException(t);
            }
            for (int i = 0; i < n; i++) {
                previous[i] = t == 0 ? 0 : tokens[i][t - 1];
                if (twins) {
                    previous[n + i] = previous[i];
                }
            }
            float[] logits = steps.step(previous, t);
            if (twins) {
                guide(logits, guidance, n * bins, guided);
                logits = guided;
            }
            if (monitor.wantsLogits()) {
                monitor.logits(prior.config().level(), t, 1, logits);
            }
            sampler.sample(logits, bins, next);
            for (int i = 0; i < n; i++) {
                tokens[i][t] = next[i];
            }
            monitor.tokens(prior.config().level(), t + 1, tokens);
            monitor.progress(prior.config().level(), t + 1, tokens[0].length);
        }
    }

    /** {@code out[j] = u + g (c - u)}: c the first {@code half} logits (the candidates), u the rest (twins). */
    static void guide(float[] logits, double g, int half, float[] out) {
        for (int j = 0; j < half; j++) {
            float u = logits[half + j];
            out[j] = (float) (u + g * (logits[j] - u));
        }
    }

    /**
     * Prefills {@code cache} with the first {@code primeLen} positions of each prime row, {@code chunk} positions
     * at a time (position 0 is the start token; position i reads the prime's token i - 1). Shared by sampling
     * and {@link WindowScoring}, so both compute a window's context the same way.
     */
    static void prefill(Prior prior, NDManager m, KvCache cache, Conditioning cond, long[][] primes, int primeLen,
                        int chunk, int totalTokens, Monitor monitor) {
        int level = prior.config().level();
        if (monitor.cancelled()) {
            throw new CancelledException(0);
        }
        TeacherForcing.run(prior, m, cache, cond, primes, 0, primeLen, chunk, (start, c, logits) -> {
            if (monitor.wantsLogits()) {
                monitor.logits(level, start, c, logits.toFloatArray());
            }
            monitor.progress(level, start + c, totalTokens);
            if (start + c < primeLen && monitor.cancelled()) {
                throw new CancelledException(start + c);
            }
        });
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

    private static List<LabelRow> labelsFor(List<LabelRow> labels, int batch) {
        if (labels == null || labels.size() == batch) {
            return labels;
        }
        if (labels.size() == 1) {
            List<LabelRow> out = new ArrayList<>();
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
