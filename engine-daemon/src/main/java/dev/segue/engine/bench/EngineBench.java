package dev.segue.engine.bench;

import dev.segue.engine.monitor.MemoryStats;
import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.AttentionPattern;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.PrimedSampler;
import dev.segue.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Throughput of one prior on this machine: chunked prefill of a prime and cached single-token steps at a
 * given number of candidates, timed through the real sampler, against the memory-bandwidth bound of a
 * step (the bytes it must read divided by the measured copy bandwidth).
 */
public final class EngineBench {
    public record Result(String preset, int candidates, int primeTokens, double prefillMillis,
                         double prefillTokensPerSecond, double stepMillisMedian, double stepTokensPerSecond,
                         double boundTokensPerSecond, double readBoundTokensPerSecond, long stepBytes,
                         long modelBytes, long peakRssBytes) {
        /** This result with the prefill time of another run (the bench reports each figure's median run). */
        public Result withPrefill(double millis) {
            return new Result(preset, candidates, primeTokens, millis, primeTokens / (millis / 1e3), stepMillisMedian,
                    stepTokensPerSecond, boundTokensPerSecond, readBoundTokensPerSecond, stepBytes, modelBytes,
                    peakRssBytes);
        }
    }

    private final Prior prior;
    private final String preset;
    private final long modelBytes;
    /** Prime tokens prefilled before the timed steps; 0: half the window. */
    private final int primeTokens;

    public EngineBench(Prior prior, String preset, long modelBytes) {
        this(prior, preset, modelBytes, 0);
    }

    /** A bench whose prime is {@code primeTokens} long (a full-size prior's half window takes minutes to prefill). */
    public EngineBench(Prior prior, String preset, long modelBytes, int primeTokens) {
        this.prior = prior;
        this.preset = preset;
        this.modelBytes = modelBytes;
        this.primeTokens = primeTokens;
    }

    /** One configuration: the prime (half the window unless set), then {@code steps} cached steps, median of the steps. */
    public Result run(NDManager m, int candidates, int steps, double bandwidthBytesPerSecond,
                      double readBandwidthBytesPerSecond) {
        PriorConfig c = prior.config();
        int primeLen = primeTokens > 0 ? Math.min(primeTokens, c.nCtx() - 2) : c.nCtx() / 2;
        int total = Math.min(c.nCtx(), primeLen + steps);
        long[][] prime = new long[1][primeLen];
        Random random = new Random(7);
        for (int i = 0; i < primeLen; i++) {
            prime[0][i] = random.nextInt(prior.bins());
        }
        long[] stamps = new long[total + 1];
        long[] started = new long[1];
        Monitor timer = new Monitor() {
            @Override
            public void progress(int level, long at, long of) {
                int done = (int) at;
                // Prefill reports (done, primeLen); steps report (done, total): both index by position.
                stamps[done] = System.nanoTime();
            }
        };
        // A lyrics prior reads n_tokens lyric tokens per window; padding costs the same work as words.
        List<LabelRow> labels = c.usesLyrics() ? List.of(LabelRow.neutral(c).get(0).withLyrics(new int[c.nTokens()]))
                : LabelRow.neutral(c);
        PrimedSampler.Request request = new PrimedSampler.Request(prime, candidates, total, labels,
                upperCodes(), new SamplingParams(1.0, 0, 0.0, 1), Math.max(1, c.nCtx() / 8));
        started[0] = System.nanoTime();
        new PrimedSampler(prior).sample(m, request, timer);
        // The prefill ends when the cache has been expanded and the first step starts; the first step's
        // stamp minus its duration is not observable, so prefill time is up to the last prefill chunk.
        double prefillMillis = (stamps[primeLen] - started[0]) / 1e6;
        double[] stepMillis = new double[total - primeLen - 1];
        for (int t = primeLen + 2; t <= total; t++) {
            stepMillis[t - primeLen - 2] = (stamps[t] - stamps[t - 1]) / 1e6;
        }
        double median = Stats.median(stepMillis);
        long stepBytes = stepBytes(candidates, primeLen + (total - primeLen) / 2);
        return new Result(preset, candidates, primeLen, prefillMillis, primeLen / (prefillMillis / 1e3), median,
                candidates / (median / 1e3), candidates / (stepBytes / bandwidthBytesPerSecond),
                candidates / (stepBytes / readBandwidthBytesPerSecond), stepBytes, modelBytes,
                MemoryStats.peakResidentBytes());
    }

    /**
     * Bytes one cached step reads at {@code position}: the weights it multiplies by (read once for all
     * candidates) plus each candidate's visible keys and values under each layer's attention pattern.
     */
    long stepBytes(int candidates, int position) {
        PriorConfig c = prior.config();
        long kv = 0;
        for (int layer = 0; layer < c.depth(); layer++) {
            int type = AttentionPattern.referenceType(c.attnOrder(), layer);
            if (type == AttentionPattern.ENCODER_DECODER_TYPE || type == AttentionPattern.LYRICS_TYPE) {
                kv += 2L * 4 * c.nTokens() * c.attnState(); // a lyrics layer reads the window's lyric keys
                continue;
            }
            int[] range = AttentionPattern.forLayer(c.attnOrder(), layer).stepKeys(position, c.blockCtx());
            if (range != null) {
                long keys = (range[1] - range[0] + range[2] - 1) / range[2];
                kv += 2L * 4 * keys * c.attnState();
            }
        }
        return prior.stepWeightBytes() + candidates * kv;
    }

    private long[][] upperCodes() {
        if (!prior.isUpsampler()) {
            return null;
        }
        long[][] codes = new long[1][prior.upperCodesPerWindow()];
        Random random = new Random(11);
        for (int i = 0; i < codes[0].length; i++) {
            codes[0][i] = random.nextInt(prior.bins());
        }
        return codes;
    }

    /**
     * Bytes read per second by a reduction over a 256 MB tensor (best of 7): a pure read stream, which is
     * what a step is; a copy also writes, so the copy-bandwidth bound is the stricter of the two.
     */
    public static double readBandwidth(NDManager m) {
        long floats = 64L << 20;
        double best = Double.MAX_VALUE;
        try (NDManager scope = m.newSubManager()) {
            NDArray src = scope.ones(new Shape(floats), DataType.FLOAT32);
            src.sum().getFloat();
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                src.sum().getFloat();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return floats * 4 / best;
    }

    /**
     * Bytes copied per second by an in-place copy of a 256 MB tensor on the engine's device (best of 7):
     * the rate at which a step could at best stream its weights. A fresh allocation per copy would
     * measure page faults instead, so the destination is allocated once and touched first.
     */
    public static double copyBandwidth(NDManager m) {
        long floats = 64L << 20;
        double best = Double.MAX_VALUE;
        try (NDManager scope = m.newSubManager()) {
            NDArray src = scope.ones(new Shape(floats), DataType.FLOAT32);
            NDArray dst = scope.zeros(new Shape(floats), DataType.FLOAT32);
            NDIndex all = new NDIndex(":");
            dst.set(all, src);
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                dst.set(all, src);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return floats * 4 / best;
    }
}
