package dev.segue.engine.prior;

import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.nn.BlockedMatrix;
import dev.segue.engine.nn.HalfMatrix;
import dev.segue.engine.nn.RowParallel;
import dev.segue.engine.nn.StepMatrix;
import dev.segue.engine.nn.VectorMath;
import java.nio.FloatBuffer;
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

    /**
     * The values of fp32 array {@code a} as the kernel reads them: a view of libtorch's own memory (made contiguous
     * first where it is not), so a per-position table (the 5b top prior's position embedding or conditioning: 157
     * MB a row) is held once, not again as a Java copy. The view lives as long as {@code a}'s manager.
     */
    static FloatBuffer view(ai.djl.ndarray.NDArray a) {
        java.nio.ByteBuffer b = a.toByteBuffer(true);
        if (!b.isDirect() || b.capacity() != 4L * a.size()) {
            return FloatBuffer.wrap(a.toFloatArray());
        }
        return b.order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Writes the embedding of {@code token} ({@code width} values) to {@code dst} from {@code off}. */
    @FunctionalInterface
    interface TokenRows {
        void row(int token, float[] dst, int off);
    }

    private final List<Layer> layers;
    private final TokenRows tokenEmb;
    private final StepMatrix outputProj;
    private final FloatBuffer positionEmb;
    private final int width;
    private final int state;
    private final int mlp;
    private final int bins;
    private final int nCtx;
    private final boolean addCondAfter;
    private final RowParallel parallel;
    /** The precision of the step cache: the weights' (bf16 or fp16 when held in half precision, else fp32). */
    private final DType cacheFormat;

    CpuStepKernel(List<Layer> layers, TokenRows tokenEmb, StepMatrix outputProj, FloatBuffer positionEmb, int width, int state,
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
        this.cacheFormat = layers.get(0).qkv() instanceof HalfMatrix half ? (half.isFp16() ? DType.F16 : DType.BF16)
                : DType.F32;
    }

    /**
     * Takes over a prefilled cache (moving its keys and values into the session's own, allocated in
     * {@code manager}; the DJL cache is empty afterwards) and the conditioning for its candidates.
     */
    Session open(ai.djl.ndarray.NDManager manager, KvCache cache, Conditioning cond) {
        return new Session(manager, cache, cond);
    }

    void close() {
        parallel.close();
    }

    /**
     * One sampling session's step state. The keys and values move out of DJL's cache once, layer by layer
     * (each DJL layer is freed as soon as it is converted, so at most one copy of the cache lives), into a
     * {@link StepCache}: in the weights' precision, holding only what each layer's attention can still read,
     * one sequence's keys and values interleaved per position, so a query's keys are one contiguous run. Why
     * that layout: the weights streamed through every step evict the cache, and with keys scattered
     * attention took a quarter of a four-candidate step in TLB and cache misses.
     */
    final class Session implements StepSession {
        private final int n;
        private final int heads;
        private final StepCache kv;
        private final float[] start;
        private final FloatBuffer perPosition;
        private final int conditionRepeat;
        private final float[] x;
        private final float[] h;
        private final float[] qkv;
        private final float[] att;
        private final float[] a;
        private final float[] f;
        private final float[] m;
        private final float[] logits;
        private final float[] scores;

        private Session(ai.djl.ndarray.NDManager manager, KvCache cache, Conditioning cond) {
            this.n = cache.batch();
            this.heads = layers.get(0).heads;
            int headDim = state / heads;
            this.kv = new StepCache(manager, layers, nCtx, n * heads, headDim, cacheFormat);
            int rows = cache.storedRows();
            int repeat = cache.pendingRepeat();
            for (int l = 0; l < layers.size(); l++) {
                int base = cache.base(l);
                ai.djl.ndarray.NDArray[] arrays = cache.release(l);
                if (arrays == null) {
                    continue;
                }
                try {
                    int slots = (int) arrays[0].getShape().get(2);
                    kv.load(l, arrays[0].toFloatArray(), arrays[1].toFloatArray(), rows, repeat, heads, slots,
                            base, cache.length());
                } finally {
                    arrays[0].close();
                    arrays[1].close();
                }
            }
            this.start = cond.start().toFloatArray();
            // One row per prefilled row: take c reads row c / conditionRepeat (see Conditioning).
            this.conditionRepeat = cond.pendingRepeat();
            this.perPosition = cond.storedPerPosition() == null ? null : view(cond.storedPerPosition());
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

        /** Bytes the session's key/value cache holds now. */
        long cacheBytes() {
            return kv.bytes();
        }

        @Override
        public void shift(int positions) {
            for (Layer layer : layers) {
                if (layer.encoderLength > 0) {
                    continue; // the lyrics encoder's keys do not move with the window
                }
                if (positions < 0 || positions >= nCtx || (layer.blockCtx > 0 && positions % layer.blockCtx != 0)) {
                    throw new IllegalArgumentException("can only shift by whole blocks of " + layer.blockCtx
                            + " within the window of " + nCtx + ", asked " + positions);
                }
            }
            kv.shift(positions);
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
                    int off = (c / conditionRepeat * nCtx + t) * width;
                    for (int i = 0; i < width; i++) {
                        x[c * width + i] += perPosition.get(off + i);
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
                    x[xo + i] += positionEmb.get(t * width + i);
                }
                if (perPosition != null) {
                    int off = (c / conditionRepeat * nCtx + t) * width;
                    for (int i = 0; i < width; i++) {
                        x[xo + i] += perPosition.get(off + i);
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
            boolean write = !cross && kv.keeps(l, t);
            if (write) {
                kv.ensure(l, t); // grows before the parallel part, which only writes within it
            }
            int[] keyRange = cross ? new int[] {0, layer.encoderLength, 1} : layer.pattern.stepKeys(t, layer.blockCtx);
            if (keyRange != null && keyRange[1] > layer.keyLimit) {
                keyRange[1] = layer.keyLimit;
            }
            int[] range = keyRange == null ? null : kv.slotRange(l, keyRange);
            parallel.runUnits(n * heads, (from, to) -> {
                for (int unit = from; unit < to; unit++) {
                    attendOne(unit / heads, unit % heads, l, t, headDim, range, cross, write);
                }
            });
        }

        private void attendOne(int c, int hd, int l, int t, int headDim, int[] range, boolean cross, boolean write) {
            int sequence = c * heads + hd;
            // Self-attention rows are (q, k, v) per candidate; an encoder-decoder layer's are queries only.
            int qOff = cross ? c * state + hd * headDim : c * 3 * state + hd * headDim;
            if (write) {
                kv.put(l, sequence, t, qkv, qOff + state, qkv, qOff + 2 * state);
            }
            int outOff = c * state + hd * headDim;
            if (range == null) {
                java.util.Arrays.fill(att, outOff, outOff + headDim, 0f);
                return; // previous-block attention in the first block: the reference's output is zero
            }
            java.nio.ByteBuffer data = kv.data(l);
            DType format = kv.format();
            int first = kv.rowOffset(l, sequence, range[0]);
            int stride = range[2] * kv.slotBytes();
            int count = range[1];
            int scoreOff = sequence * (scores.length / (n * heads));
            float max = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < count; r++) {
                float sc = dev.segue.engine.nn.KvRows.dot(format, qkv, qOff, data, first + r * stride, headDim);
                scores[scoreOff + r] = sc;
                max = Math.max(max, sc);
            }
            VectorMath.expShifted(scores, scoreOff, max, scores, scoreOff, count);
            float inv = 1f / VectorMath.sum(scores, scoreOff, count);
            dev.segue.engine.nn.KvRows.weightedRows(format, scores, scoreOff, inv, count, data, first + kv.valueOffset(), stride, att,
                    outOff, headDim);
        }
    }
}
