package dev.segue.engine.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** SIMD kernels for the CPU decoding step: matrix-vector products that read each weight once for all inputs. */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {}

    /**
     * y[n][o] = bias[o] + W[o] . x[n] for inputs n in [0, count) over the matrix's work units [from, to)
     * (see {@link BlockedMatrix#units()}); x is laid out (count, in) and y (count, out).
     */
    public static void matVec(BlockedMatrix m, float[] x, float[] y, int count, int from, int to) {
        for (int unit = from; unit < to; unit++) {
            if (unit < m.fullBlocks) {
                int n0 = 0;
                for (; n0 + 4 <= count; n0 += 4) {
                    block4(m, unit, x, y, n0);
                }
                for (; n0 < count; n0++) {
                    block1(m, unit, x, y, n0);
                }
            } else {
                int tailOut = m.out - m.fullBlocks * BlockedMatrix.BLOCK;
                for (int n = 0; n < count; n++) {
                    for (int r = 0; r < tailOut; r++) {
                        int o = m.fullBlocks * BlockedMatrix.BLOCK + r;
                        float v = dot(m.tailRows, r * m.in, x, n * m.in, m.in);
                        y[n * m.out + o] = v + (m.bias == null ? 0f : m.bias[o]);
                    }
                }
            }
        }
    }

    /** One block of outputs for one candidate; two accumulator sets over the two halves of the input hide FMA latency. */
    private static void block1(BlockedMatrix m, int unit, float[] x, float[] y, int n) {
        float[] w = m.blocked;
        int in = m.in;
        int base = unit * in * BlockedMatrix.BLOCK;
        int xo = n * in;
        int half = in / 2;
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        int l = S.length();
        for (int i = 0; i < half; i++) {
            int p = base + i * BlockedMatrix.BLOCK;
            int q = p + half * BlockedMatrix.BLOCK;
            FloatVector b = FloatVector.broadcast(S, x[xo + i]);
            FloatVector d = FloatVector.broadcast(S, x[xo + half + i]);
            a0 = FloatVector.fromArray(S, w, p).fma(b, a0);
            a1 = FloatVector.fromArray(S, w, p + l).fma(b, a1);
            a2 = FloatVector.fromArray(S, w, p + 2 * l).fma(b, a2);
            a3 = FloatVector.fromArray(S, w, p + 3 * l).fma(b, a3);
            c0 = FloatVector.fromArray(S, w, q).fma(d, c0);
            c1 = FloatVector.fromArray(S, w, q + l).fma(d, c1);
            c2 = FloatVector.fromArray(S, w, q + 2 * l).fma(d, c2);
            c3 = FloatVector.fromArray(S, w, q + 3 * l).fma(d, c3);
        }
        if ((in & 1) == 1) {
            int p = base + (in - 1) * BlockedMatrix.BLOCK;
            FloatVector b = FloatVector.broadcast(S, x[xo + in - 1]);
            a0 = FloatVector.fromArray(S, w, p).fma(b, a0);
            a1 = FloatVector.fromArray(S, w, p + l).fma(b, a1);
            a2 = FloatVector.fromArray(S, w, p + 2 * l).fma(b, a2);
            a3 = FloatVector.fromArray(S, w, p + 3 * l).fma(b, a3);
        }
        int at = n * m.out + unit * BlockedMatrix.BLOCK;
        a0.add(c0).intoArray(y, at);
        a1.add(c1).intoArray(y, at + l);
        a2.add(c2).intoArray(y, at + 2 * l);
        a3.add(c3).intoArray(y, at + 3 * l);
        addBias(m, y, n, unit);
    }

    /** One block of outputs for four candidates: each weight vector loaded once feeds four FMAs. */
    private static void block4(BlockedMatrix m, int unit, float[] x, float[] y, int n0) {
        float[] w = m.blocked;
        int in = m.in;
        int base = unit * in * BlockedMatrix.BLOCK;
        int x0 = n0 * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        int l = S.length();
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S), a33 = FloatVector.zero(S);
        for (int i = 0; i < in; i++) {
            int p = base + i * BlockedMatrix.BLOCK;
            FloatVector w0 = FloatVector.fromArray(S, w, p);
            FloatVector w1 = FloatVector.fromArray(S, w, p + l);
            FloatVector w2 = FloatVector.fromArray(S, w, p + 2 * l);
            FloatVector w3 = FloatVector.fromArray(S, w, p + 3 * l);
            FloatVector b = FloatVector.broadcast(S, x[x0 + i]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            a02 = w2.fma(b, a02);
            a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(S, x[x1 + i]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            a12 = w2.fma(b, a12);
            a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(S, x[x2 + i]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            a22 = w2.fma(b, a22);
            a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(S, x[x3 + i]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            a32 = w2.fma(b, a32);
            a33 = w3.fma(b, a33);
        }
        // Stored here, not through a helper: Vector values passed to a call that is not inlined get boxed.
        int at = n0 * m.out + unit * BlockedMatrix.BLOCK;
        a00.intoArray(y, at);
        a01.intoArray(y, at + l);
        a02.intoArray(y, at + 2 * l);
        a03.intoArray(y, at + 3 * l);
        at += m.out;
        a10.intoArray(y, at);
        a11.intoArray(y, at + l);
        a12.intoArray(y, at + 2 * l);
        a13.intoArray(y, at + 3 * l);
        at += m.out;
        a20.intoArray(y, at);
        a21.intoArray(y, at + l);
        a22.intoArray(y, at + 2 * l);
        a23.intoArray(y, at + 3 * l);
        at += m.out;
        a30.intoArray(y, at);
        a31.intoArray(y, at + l);
        a32.intoArray(y, at + 2 * l);
        a33.intoArray(y, at + 3 * l);
        for (int g = 0; g < 4; g++) {
            addBias(m, y, n0 + g, unit);
        }
    }

    private static void addBias(BlockedMatrix m, float[] y, int n, int unit) {
        if (m.bias == null) {
            return;
        }
        int o = unit * BlockedMatrix.BLOCK;
        int at = n * m.out + o;
        for (int j = 0; j < BlockedMatrix.BLOCK; j++) {
            y[at + j] += m.bias[o + j];
        }
    }

    /** y[yOff + i] += a * x[xOff + i] for i < len. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** The sum of {@code count} values from {@code off}. */
    public static float sum(float[] x, int off, int count) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(count);
        for (; i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, x, off + i));
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < count; i++) {
            s += x[off + i];
        }
        return s;
    }

    /**
     * out[0, len) = scale * sum over r < count of w[wOff + r] * rows[rowOff + r * rowStride, + len): attention's
     * weighted sum of values. Each vector of the output is accumulated in registers over all rows and stored
     * once, instead of a load and store per row.
     */
    public static void weightedRows(float[] w, int wOff, float scale, int count, float[] rows, int rowOff, int rowStride,
                                    float[] out, int outOff, int len) {
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += S.length()) {
            FloatVector even = FloatVector.zero(S);
            FloatVector odd = FloatVector.zero(S);
            int r = 0;
            for (; r + 1 < count; r += 2) {
                even = FloatVector.fromArray(S, rows, rowOff + r * rowStride + i).fma(FloatVector.broadcast(S, w[wOff + r]), even);
                odd = FloatVector.fromArray(S, rows, rowOff + (r + 1) * rowStride + i).fma(FloatVector.broadcast(S, w[wOff + r + 1]), odd);
            }
            if (r < count) {
                even = FloatVector.fromArray(S, rows, rowOff + r * rowStride + i).fma(FloatVector.broadcast(S, w[wOff + r]), even);
            }
            even.add(odd).mul(scale).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            float acc = 0f;
            for (int r = 0; r < count; r++) {
                acc += w[wOff + r] * rows[rowOff + r * rowStride + i];
            }
            out[outOff + i] = acc * scale;
        }
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** out = layerNorm(x) * gamma + beta over one row of {@code width}, eps 1e-5, biased variance (as torch). */
    public static void layerNorm(float[] x, int off, float[] gamma, float[] beta, float[] out, int outOff, int width) {
        int bound = S.loopBound(width);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, x, off + i));
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < width; i++) {
            sum += x[off + i];
        }
        float mean = sum / width;
        FloatVector meanV = FloatVector.broadcast(S, mean);
        acc = FloatVector.zero(S);
        for (i = 0; i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(meanV);
            acc = d.fma(d, acc);
        }
        float var = acc.reduceLanes(VectorOperators.ADD);
        for (; i < width; i++) {
            float d = x[off + i] - mean;
            var += d * d;
        }
        var /= width;
        float inv = (float) (1.0 / Math.sqrt(var + 1e-5));
        FloatVector invV = FloatVector.broadcast(S, inv);
        for (i = 0; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(meanV).mul(invV);
            v.fma(FloatVector.fromArray(S, gamma, i), FloatVector.fromArray(S, beta, i)).intoArray(out, outOff + i);
        }
        for (; i < width; i++) {
            out[outOff + i] = (x[off + i] - mean) * inv * gamma[i] + beta[i];
        }
    }

    /** dst[dstOff + i] = exp(src[srcOff + i] - shift) for i < count; src and dst may be the same array. */
    public static void expShifted(float[] src, int srcOff, float shift, float[] dst, int dstOff, int count) {
        FloatVector s = FloatVector.broadcast(S, shift);
        int i = 0;
        int bound = S.loopBound(count);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, src, srcOff + i).sub(s).lanewise(VectorOperators.EXP).intoArray(dst, dstOff + i);
        }
        for (; i < count; i++) {
            dst[dstOff + i] = (float) Math.exp(src[srcOff + i] - shift);
        }
    }

    /** In place, x * sigmoid(1.702 x) (Jukebox's quick GELU) over [from, to). */
    public static void quickGelu(float[] x, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector e = v.mul(-1.702f).lanewise(VectorOperators.EXP);
            v.div(e.add(one)).intoArray(x, i);
        }
        for (; i < to; i++) {
            float v = x[i];
            x[i] = v / (1f + (float) Math.exp(-1.702f * v));
        }
    }
}
