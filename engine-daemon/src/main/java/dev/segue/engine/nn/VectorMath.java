package dev.segue.engine.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** SIMD kernels for the CPU decoding step: matrix-vector products that read each weight once for all inputs. */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {}

    /**
     * y[n][o] = bias[o] + W[o] . x[n] for outputs o in [from, to) and inputs n in [0, count), where W is
     * (out, in) row-major, x is laid out (count, in) and y (count, out). Up to four inputs share each pass
     * over a weight row, so a step at N candidates reads its weights ceil(N / 4) times, not N. Each group
     * size has its own small method: the Vector API only compiles to registers when C2 can inline it all.
     */
    public static void matVec(float[] w, float[] bias, float[] x, float[] y, int in, int out, int count, int from,
                              int to) {
        for (int n0 = 0; n0 < count; n0 += 4) {
            int group = Math.min(4, count - n0);
            if (group == 4) {
                rows4(w, bias, x, y, in, out, n0, from, to);
            } else {
                for (int g = 0; g < group; g++) {
                    rows1(w, bias, x, y, in, out, n0 + g, from, to);
                }
            }
        }
    }

    private static void rows1(float[] w, float[] bias, float[] x, float[] y, int in, int out, int n, int from, int to) {
        int x0 = n * in;
        int bound = S.loopBound(in);
        for (int o = from; o < to; o++) {
            int row = o * in;
            FloatVector a0 = FloatVector.zero(S);
            int i = 0;
            for (; i < bound; i += S.length()) {
                a0 = FloatVector.fromArray(S, w, row + i).fma(FloatVector.fromArray(S, x, x0 + i), a0);
            }
            float sum = a0.reduceLanes(VectorOperators.ADD);
            for (; i < in; i++) {
                sum += w[row + i] * x[x0 + i];
            }
            y[n * out + o] = sum + (bias == null ? 0f : bias[o]);
        }
    }

    private static void rows4(float[] w, float[] bias, float[] x, float[] y, int in, int out, int n0, int from,
                              int to) {
        int x0 = n0 * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        int lanes = S.length();
        int pairBound = in - in % (2 * lanes);
        int bound = S.loopBound(in);
        for (int o = from; o < to; o++) {
            int row = o * in;
            // Two independent accumulator sets per input hide the FMA latency behind the weight stream.
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            FloatVector b0 = FloatVector.zero(S);
            FloatVector b1 = FloatVector.zero(S);
            FloatVector b2 = FloatVector.zero(S);
            FloatVector b3 = FloatVector.zero(S);
            int i = 0;
            for (; i < pairBound; i += 2 * lanes) {
                FloatVector w0 = FloatVector.fromArray(S, w, row + i);
                FloatVector w1 = FloatVector.fromArray(S, w, row + i + lanes);
                a0 = w0.fma(FloatVector.fromArray(S, x, x0 + i), a0);
                b0 = w1.fma(FloatVector.fromArray(S, x, x0 + i + lanes), b0);
                a1 = w0.fma(FloatVector.fromArray(S, x, x1 + i), a1);
                b1 = w1.fma(FloatVector.fromArray(S, x, x1 + i + lanes), b1);
                a2 = w0.fma(FloatVector.fromArray(S, x, x2 + i), a2);
                b2 = w1.fma(FloatVector.fromArray(S, x, x2 + i + lanes), b2);
                a3 = w0.fma(FloatVector.fromArray(S, x, x3 + i), a3);
                b3 = w1.fma(FloatVector.fromArray(S, x, x3 + i + lanes), b3);
            }
            for (; i < bound; i += lanes) {
                FloatVector wv = FloatVector.fromArray(S, w, row + i);
                a0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), a0);
                a1 = wv.fma(FloatVector.fromArray(S, x, x1 + i), a1);
                a2 = wv.fma(FloatVector.fromArray(S, x, x2 + i), a2);
                a3 = wv.fma(FloatVector.fromArray(S, x, x3 + i), a3);
            }
            float s0 = a0.add(b0).reduceLanes(VectorOperators.ADD);
            float s1 = a1.add(b1).reduceLanes(VectorOperators.ADD);
            float s2 = a2.add(b2).reduceLanes(VectorOperators.ADD);
            float s3 = a3.add(b3).reduceLanes(VectorOperators.ADD);
            for (; i < in; i++) {
                float wi = w[row + i];
                s0 += wi * x[x0 + i];
                s1 += wi * x[x1 + i];
                s2 += wi * x[x2 + i];
                s3 += wi * x[x3 + i];
            }
            float b = bias == null ? 0f : bias[o];
            y[n0 * out + o] = s0 + b;
            y[(n0 + 1) * out + o] = s1 + b;
            y[(n0 + 2) * out + o] = s2 + b;
            y[(n0 + 3) * out + o] = s3 + b;
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

    /** out[i] = exp(x[i] - shift) for i < count; -inf maps to exactly 0. */
    public static void expShifted(float[] x, float shift, float[] out, int count) {
        FloatVector s = FloatVector.broadcast(S, shift);
        int i = 0;
        int bound = S.loopBound(count);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, i).sub(s).lanewise(VectorOperators.EXP).intoArray(out, i);
        }
        for (; i < count; i++) {
            out[i] = (float) Math.exp(x[i] - shift);
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
