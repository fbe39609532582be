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
     * over a weight row, so a step at N candidates reads its weights ceil(N / 4) times, not N.
     */
    public static void matVec(float[] w, float[] bias, float[] x, float[] y, int in, int out, int count, int from,
                              int to) {
        for (int n0 = 0; n0 < count; n0 += 4) {
            int group = Math.min(4, count - n0);
            int o = from;
            if (group == 4) {
                // Four candidates: block four weight rows too, so each loaded vector feeds four FMAs.
                for (; o + 4 <= to; o += 4) {
                    block4x4(w, bias, x, y, in, out, n0, o);
                }
            }
            for (; o < to; o++) {
                int row = o * in;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                int x0 = n0 * in;
                int i = 0;
                int bound = S.loopBound(in);
                switch (group) {
                    case 1 -> {
                        for (; i < bound; i += S.length()) {
                            a0 = FloatVector.fromArray(S, w, row + i).fma(FloatVector.fromArray(S, x, x0 + i), a0);
                        }
                    }
                    case 2 -> {
                        for (; i < bound; i += S.length()) {
                            FloatVector wv = FloatVector.fromArray(S, w, row + i);
                            a0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), a0);
                            a1 = wv.fma(FloatVector.fromArray(S, x, x0 + in + i), a1);
                        }
                    }
                    case 3 -> {
                        for (; i < bound; i += S.length()) {
                            FloatVector wv = FloatVector.fromArray(S, w, row + i);
                            a0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), a0);
                            a1 = wv.fma(FloatVector.fromArray(S, x, x0 + in + i), a1);
                            a2 = wv.fma(FloatVector.fromArray(S, x, x0 + 2 * in + i), a2);
                        }
                    }
                    default -> {
                        for (; i < bound; i += S.length()) {
                            FloatVector wv = FloatVector.fromArray(S, w, row + i);
                            a0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), a0);
                            a1 = wv.fma(FloatVector.fromArray(S, x, x0 + in + i), a1);
                            a2 = wv.fma(FloatVector.fromArray(S, x, x0 + 2 * in + i), a2);
                            a3 = wv.fma(FloatVector.fromArray(S, x, x0 + 3 * in + i), a3);
                        }
                    }
                }
                float[] sums = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                        a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
                for (; i < in; i++) {
                    for (int g = 0; g < group; g++) {
                        sums[g] += w[row + i] * x[x0 + g * in + i];
                    }
                }
                float b = bias == null ? 0f : bias[o];
                for (int g = 0; g < group; g++) {
                    y[(n0 + g) * out + o] = sums[g] + b;
                }
            }
        }
    }

    private static void block4x4(float[] w, float[] bias, float[] x, float[] y, int in, int out, int n0, int o) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S), a33 = FloatVector.zero(S);
        int r0 = o * in;
        int r1 = r0 + in;
        int r2 = r1 + in;
        int r3 = r2 + in;
        int x0 = n0 * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        int i = 0;
        int bound = S.loopBound(in);
        for (; i < bound; i += S.length()) {
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(S, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(S, x, x3 + i);
            FloatVector w0 = FloatVector.fromArray(S, w, r0 + i);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a02 = w0.fma(v2, a02);
            a03 = w0.fma(v3, a03);
            FloatVector w1 = FloatVector.fromArray(S, w, r1 + i);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a12 = w1.fma(v2, a12);
            a13 = w1.fma(v3, a13);
            FloatVector w2 = FloatVector.fromArray(S, w, r2 + i);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a22 = w2.fma(v2, a22);
            a23 = w2.fma(v3, a23);
            FloatVector w3 = FloatVector.fromArray(S, w, r3 + i);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            a32 = w3.fma(v2, a32);
            a33 = w3.fma(v3, a33);
        }
        float[] acc = {
            a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
            a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
            a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
            a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD),
            a20.reduceLanes(VectorOperators.ADD), a21.reduceLanes(VectorOperators.ADD),
            a22.reduceLanes(VectorOperators.ADD), a23.reduceLanes(VectorOperators.ADD),
            a30.reduceLanes(VectorOperators.ADD), a31.reduceLanes(VectorOperators.ADD),
            a32.reduceLanes(VectorOperators.ADD), a33.reduceLanes(VectorOperators.ADD)};
        for (int r = 0; r < 4; r++) {
            int row = r0 + r * in;
            for (int g = 0; g < 4; g++) {
                float sum = acc[r * 4 + g];
                for (int k = i; k < in; k++) {
                    sum += w[row + k] * x[x0 + g * in + k];
                }
                y[(n0 + g) * out + o + r] = sum + (bias == null ? 0f : bias[o + r]);
            }
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
