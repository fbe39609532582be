package dev.segue.engine.prior;

import dev.segue.engine.nn.BlockedMatrix;
import dev.segue.engine.nn.RowParallel;
import dev.segue.engine.nn.StepMatrix;
import dev.segue.engine.nn.VectorMath;
import java.util.List;

/**
 * The cached single-token step on the CPU, in Java SIMD, sharing the prior's weights: matrices held in half
 * precision are read where they lie ({@link dev.segue.engine.nn.HalfMatrix}, the same memory libtorch's
 * prefill reads), fp32 ones from a blocked copy made on the first step.
 * Why not DJL here: a step is ~50 matrix-vector products of about a megabyte each, and libtorch's CPU
 * kernels run those on one core at roughly 9.5 GB/s on this machine, so a step could never approach the
 * memory-bandwidth bound. Split over cores and reading each weight row once for up to four candidates,
 * the same arithmetic streams at the machine's bandwidth. Prefill (large matrix products) stays on DJL;
 * conformance checks this path's logits against the reference like every other.
 */
final class CpuStepKernel {
    /**
     * One block. {@code keyLimit} caps the keys of lyrics attention (reference type 7; MAX_VALUE otherwise);
     * {@code encoderLength} > 0 marks an encoder-decoder layer (type 6): {@code qkv} then makes only queries
     * and the keys/values are the encoder's, already in that layer's cache slots.
     */
    record Layer(float[] ln0Gamma, float[] ln0Beta, StepMatrix qkv, StepMatrix proj, float[] ln1Gamma,
                 float[] ln1Beta, StepMatrix fc, StepMatrix fc2, AttentionPattern pattern, int heads, int blockCtx,
                 float resScale, int keyLimit, int encoderLength) {
        int cacheSlots(int nCtx) {
            return encoderLength > 0 ? encoderLength : nCtx;
        }

        /**
         * Whether this layer's step cache is stored column by column (see {@link Session}): only a plain
         * strided-column layer, whose window divides into whole blocks.
         */
        boolean columnMajor(int nCtx) {
            return pattern == AttentionPattern.TRANSPOSE_BLOCK && encoderLength == 0 && keyLimit == Integer.MAX_VALUE
                    && blockCtx > 0 && nCtx % blockCtx == 0;
        }
    }

    /** Writes the embedding of {@code token} ({@code width} values) to {@code dst} from {@code off}. */
    @FunctionalInterface
    interface TokenRows {
        void row(int token, float[] dst, int off);
    }

    private final List<Layer> layers;
    private final TokenRows tokenEmb;
    private final StepMatrix outputProj;
    private final float[] positionEmb;
    private final int width;
    private final int state;
    private final int mlp;
    private final int bins;
    private final int nCtx;
    private final boolean addCondAfter;
    private final RowParallel parallel;

    CpuStepKernel(List<Layer> layers, TokenRows tokenEmb, StepMatrix outputProj, float[] positionEmb, int width, int state,
                  int mlp, int bins, int nCtx, boolean addCondAfter) {
        this.layers = layers;
        this.tokenEmb = tokenEmb;
        this.outputProj = outputProj;
        this.positionEmb = positionEmb;
        this.width = width;
        this.state = state;
        this.mlp = mlp;
        this.bins = bins;
        this.nCtx = nCtx;
        this.addCondAfter = addCondAfter;
        this.parallel = new RowParallel(RowParallel.defaultThreads());
    }

    /** Takes over a prefilled cache and the conditioning for {@code n} candidates. */
    Session open(KvCache cache, Conditioning cond) {
        return new Session(cache, cond);
    }

    void close() {
        parallel.close();
    }

    /**
     * One sampling session's step state. The cache is copied out of DJL once into one array per layer laid
     * out (candidate, head, slot, key then value), so a query's keys and values are one contiguous run; a
     * strided-column layer's slots go column by column (position j at slot (j mod blockCtx) x rows +
     * j / blockCtx), so its keys are contiguous too instead of one 128-byte row per 4 KB page. Why: the
     * weights streamed through every step evict the cache, and with keys scattered attention took a quarter
     * of a four-candidate step in TLB and cache misses. Row and previous-row keys are contiguous as they are.
     */
    final class Session implements StepSession {
        private final int n;
        private final int heads;
        private final float[][] keyValues;
        private final float[] start;
        private final float[] perPosition;
        private final float[] x;
        private final float[] h;
        private final float[] qkv;
        private final float[] att;
        private final float[] a;
        private final float[] f;
        private final float[] m;
        private final float[] logits;
        private final float[] scores;
        private final boolean[] columnMajor;

        private Session(KvCache cache, Conditioning cond) {
            this.n = cache.batch();
            this.heads = layers.get(0).heads;
            this.keyValues = new float[layers.size()][];
            this.columnMajor = new boolean[layers.size()];
            for (int l = 0; l < layers.size(); l++) {
                Layer layer = layers.get(l);
                columnMajor[l] = layer.columnMajor(nCtx);
                keyValues[l] = interleave(cache.keys(l).toFloatArray(), cache.values(l).toFloatArray(), n * heads,
                        layer.cacheSlots(nCtx), state / heads, columnMajor[l] ? layer.blockCtx : 0);
            }
            this.start = cond.start().toFloatArray();
            this.perPosition = cond.perPosition() == null ? null : cond.perPosition().toFloatArray();
            this.x = new float[n * width];
            this.h = new float[n * width];
            this.qkv = new float[n * 3 * state];
            this.att = new float[n * state];
            this.a = new float[n * width];
            this.f = new float[n * mlp];
            this.m = new float[n * width];
            this.logits = new float[n * bins];
            int longest = nCtx;
            for (Layer layer : layers) {
                longest = Math.max(longest, layer.cacheSlots(nCtx));
            }
            this.scores = new float[n * heads * longest]; // one row per (candidate, head): units run in parallel
        }

        /**
         * DJL's (sequence, position, headDim) keys and values as this session's layout (see the class
         * comment); {@code columnBlock} > 0 orders positions column by column.
         */
        private static float[] interleave(float[] keys, float[] values, int sequences, int slots, int headDim,
                                          int columnBlock) {
            float[] out = new float[2 * keys.length];
            for (int s = 0; s < sequences; s++) {
                int from = s * slots * headDim;
                for (int j = 0; j < slots; j++) {
                    int slot = columnBlock > 0 ? (j % columnBlock) * (slots / columnBlock) + j / columnBlock : j;
                    int to = 2 * from + slot * 2 * headDim;
                    System.arraycopy(keys, from + j * headDim, out, to, headDim);
                    System.arraycopy(values, from + j * headDim, out, to + headDim, headDim);
                }
            }
            return out;
        }

        @Override
        public void shift(int positions) {
            int headDim = state / heads;
            int rowLength = 2 * headDim;
            for (int l = 0; l < layers.size(); l++) {
                Layer layer = layers.get(l);
                if (layer.encoderLength > 0) {
                    continue; // the lyrics encoder's keys do not move with the window
                }
                if (positions < 0 || positions >= nCtx || (layer.blockCtx > 0 && positions % layer.blockCtx != 0)) {
                    throw new IllegalArgumentException("can only shift by whole blocks of " + layer.blockCtx
                            + " within the window of " + nCtx + ", asked " + positions);
                }
                float[] kv = keyValues[l];
                for (int s = 0; s < n * heads; s++) {
                    int base = s * nCtx * rowLength;
                    if (columnMajor[l]) {
                        // Each column holds its positions in order: drop the first positions / blockCtx of each.
                        int perColumn = nCtx / layer.blockCtx;
                        int drop = positions / layer.blockCtx;
                        for (int col = 0; col < layer.blockCtx; col++) {
                            int at = base + col * perColumn * rowLength;
                            System.arraycopy(kv, at + drop * rowLength, kv, at, (perColumn - drop) * rowLength);
                        }
                    } else {
                        System.arraycopy(kv, base + positions * rowLength, kv, base, (nCtx - positions) * rowLength);
                    }
                }
            }
        }

        /** Logits (n, bins) for position {@code t} given each candidate's token at t - 1. */
        @Override
        public float[] step(long[] previous, int t) {
            embed(previous, t);
            int headDim = state / heads;
            for (int l = 0; l < layers.size(); l++) {
                Layer layer = layers.get(l);
                for (int c = 0; c < n; c++) {
                    VectorMath.layerNorm(x, c * width, layer.ln0Gamma, layer.ln0Beta, h, c * width, width);
                }
                parallel.runUnits(layer.qkv.units(), (from, to) -> layer.qkv.matVec(h, qkv, n, from, to));
                attend(layer, l, t, headDim);
                parallel.runUnits(layer.proj.units(), (from, to) -> layer.proj.matVec(att, a, n, from, to));
                for (int i = 0; i < n * width; i++) {
                    a[i] += x[i]; // a now holds x + attention
                }
                for (int c = 0; c < n; c++) {
                    VectorMath.layerNorm(a, c * width, layer.ln1Gamma, layer.ln1Beta, h, c * width, width);
                }
                parallel.runUnits(layer.fc.units(), (from, to) -> {
                    layer.fc.matVec(h, f, n, from, to);
                    int lo = from * BlockedMatrix.BLOCK;
                    int hi = Math.min(mlp, to * BlockedMatrix.BLOCK);
                    for (int c = 0; c < n; c++) {
                        VectorMath.quickGelu(f, c * mlp + lo, c * mlp + hi);
                    }
                });
                parallel.runUnits(layer.fc2.units(), (from, to) -> layer.fc2.matVec(f, m, n, from, to));
                if (layer.resScale == 1f) {
                    for (int i = 0; i < n * width; i++) {
                        x[i] = a[i] + m[i];
                    }
                } else {
                    for (int i = 0; i < n * width; i++) {
                        float attnOut = a[i] - x[i];
                        x[i] = x[i] + (attnOut + m[i]) * layer.resScale;
                    }
                }
            }
            if (perPosition != null && addCondAfter) {
                for (int c = 0; c < n; c++) {
                    int off = (c * nCtx + t) * width;
                    for (int i = 0; i < width; i++) {
                        x[c * width + i] += perPosition[off + i];
                    }
                }
            }
            parallel.runUnits(outputProj.units(), (from, to) -> outputProj.matVec(x, logits, n, from, to));
            return logits;
        }

        private void embed(long[] previous, int t) {
            for (int c = 0; c < n; c++) {
                int xo = c * width;
                if (t == 0) {
                    System.arraycopy(start, c * width, x, xo, width);
                } else {
                    tokenEmb.row((int) previous[c], x, xo);
                }
                for (int i = 0; i < width; i++) {
                    x[xo + i] += positionEmb[t * width + i];
                }
                if (perPosition != null) {
                    int off = (c * nCtx + t) * width;
                    for (int i = 0; i < width; i++) {
                        x[xo + i] += perPosition[off + i];
                    }
                }
            }
        }

        /**
         * Writes this position's keys and values into the cache and attends, one (candidate, head) pair per
         * work unit: at four candidates the pairs are a quarter of the step, so they are split over cores too.
         */
        private void attend(Layer layer, int l, int t, int headDim) {
            boolean cross = layer.encoderLength > 0;
            int[] keyRange = cross ? new int[] {0, layer.encoderLength, 1} : layer.pattern.stepKeys(t, layer.blockCtx);
            if (keyRange != null && keyRange[1] > layer.keyLimit) {
                keyRange[1] = layer.keyLimit;
            }
            if (keyRange != null && columnMajor[l]) {
                // The column's keys t mod blockCtx, + blockCtx, ..., t are consecutive slots.
                int perColumn = nCtx / layer.blockCtx;
                int first = (t % layer.blockCtx) * perColumn;
                keyRange = new int[] {first, first + t / layer.blockCtx + 1, 1};
            }
            int[] range = keyRange;
            parallel.runUnits(n * heads, (from, to) -> {
                for (int unit = from; unit < to; unit++) {
                    attendOne(unit / heads, unit % heads, l, t, headDim, range, layer);
                }
            });
        }

        private void attendOne(int c, int hd, int l, int t, int headDim, int[] range, Layer layer) {
            float[] kv = keyValues[l];
            boolean cross = layer.encoderLength > 0;
            int slots = layer.cacheSlots(nCtx);
            int rowLength = 2 * headDim;
            int cacheBase = (c * heads + hd) * slots * rowLength;
            // Self-attention rows are (q, k, v) per candidate; an encoder-decoder layer's are queries only.
            int qOff = cross ? c * state + hd * headDim : c * 3 * state + hd * headDim;
            if (!cross) {
                int kOff = qOff + state;
                int vOff = kOff + state;
                int slot = columnMajor[l] ? (t % layer.blockCtx) * (slots / layer.blockCtx) + t / layer.blockCtx : t;
                System.arraycopy(qkv, kOff, kv, cacheBase + slot * rowLength, headDim);
                System.arraycopy(qkv, vOff, kv, cacheBase + slot * rowLength + headDim, headDim);
            }
            int outOff = c * state + hd * headDim;
            if (range == null) {
                java.util.Arrays.fill(att, outOff, outOff + headDim, 0f);
                return; // previous-block attention in the first block: the reference's output is zero
            }
            int scoreOff = (c * heads + hd) * (scores.length / (n * heads));
            float max = Float.NEGATIVE_INFINITY;
            int count = 0;
            for (int j = range[0]; j < range[1]; j += range[2]) {
                float sc = VectorMath.dot(qkv, qOff, kv, cacheBase + j * rowLength, headDim);
                scores[scoreOff + count++] = sc;
                max = Math.max(max, sc);
            }
            VectorMath.expShifted(scores, scoreOff, max, scores, scoreOff, count);
            float inv = 1f / VectorMath.sum(scores, scoreOff, count);
            VectorMath.weightedRows(scores, scoreOff, inv, count, kv, cacheBase + range[0] * rowLength + headDim,
                    range[2] * rowLength, att, outOff, headDim);
        }
    }
}
