package dev.segue.engine.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels for the CPU decoding step: matrix-vector products that read each weight once for all inputs.
 *
 * <p>About 760 lines on purpose: the variants (fp32, bf16, fp16; one take or four; whole or half blocks) are
 * written out one by one, each with its format and take count as constants, because a variant chosen at run
 * time inside the loop, or vectors passed to a helper the JIT does not inline, kept the JIT from holding the
 * accumulators in registers (measured several times slower; see each method's comment).
 */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** As many ints as S has floats: one load is a group of 2 x S.length() half-precision weights. */
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int SIGN = 0x80000000;
    /** fp16 exponent and mantissa moved to fp32's bit positions (10 + 5 bits, shifted left by 13). */
    private static final int F16_MAGNITUDE = 0x0fffe000;
    /** 2^112 rebiases an fp16 exponent (bias 15) moved into fp32's field (bias 127). */
    private static final float F16_REBIAS = 0x1p112f;
    /**
     * Whether four candidates over half-precision matrix {@code m} run one group (half a block) at a time. A
     * whole block for four candidates keeps 16 accumulators, 4 weight vectors and a broadcast live: that fits
     * AVX-512's 32 vector registers, but not AVX2's 16, where the JIT spills accumulators on every input. A
     * group needs 11 registers, and as each group is its own stream ({@link HalfMatrix}'s layout) nothing is
     * read twice. Measured with {@code SplitFourProbe} (engine README) on 256-bit vectors: groups are 1.4x
     * faster for a matrix the caches hold between steps (512 x 2048) and 1.15x for one streamed from memory
     * (2048 x 6144). So: groups below 512-bit vectors; {@code -Dsegue.splitFour=true|false} forces either way.
     */
    static boolean splitFour(HalfMatrix m) {
        return SPLIT_FORCED != null ? SPLIT_FORCED : S.vectorBitSize() < 512;
    }

    private static final Boolean SPLIT_FORCED = System.getProperty("segue.splitFour") == null ? null
            : Boolean.parseBoolean(System.getProperty("segue.splitFour"));

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

    /**
     * {@link #matVec(BlockedMatrix, float[], float[], int, int, int)} over half-precision weights (see
     * {@link HalfMatrix} for the layout): each group of weights is loaded once as ints, widened to floats in
     * registers, and feeds up to four candidates.
     */
    public static void matVec(HalfMatrix m, float[] x, float[] y, int count, int from, int to) {
        boolean split = splitFour(m);
        float[] packed = split && count >= 4 ? packFour(x, m.in, count / 4) : null;
        for (int unit = from; unit < to; unit++) {
            if (unit < m.fullBlocks) {
                int n0 = 0;
                for (; n0 + 4 <= count; n0 += 4) {
                    if (split) {
                        for (int group = 0; group < 2; group++) {
                            if (m.f16) {
                                half4F16Group(m, unit, packed, n0 * m.in, y, n0, group);
                            } else {
                                half4Bf16Group(m, unit, packed, n0 * m.in, y, n0, group);
                            }
                        }
                    } else if (m.f16) {
                        half4F16(m, unit, x, y, n0);
                    } else {
                        half4Bf16(m, unit, x, y, n0);
                    }
                }
                for (; n0 < count; n0++) {
                    // Separate methods with the format as a constant: a widening chosen at run time inside
                    // the loop kept the JIT from keeping the vectors in registers (fp16 N=1 ran 8x slower).
                    if (m.f16) {
                        half1F16(m, unit, x, y, n0);
                    } else {
                        half1Bf16(m, unit, x, y, n0);
                    }
                }
                for (int n = 0; n < count; n++) {
                    finish(m, y, n, unit);
                }
            } else {
                int first = m.fullBlocks * BlockedMatrix.BLOCK;
                for (int n = 0; n < count; n++) {
                    for (int o = first; o < m.out; o++) {
                        float v = 0f;
                        for (int i = 0; i < m.in; i++) {
                            v += m.get(i, o) * x[n * m.in + i];
                        }
                        y[n * m.out + o] = v * (m.scale == null ? 1f : m.scale[o]) + (m.bias == null ? 0f : m.bias[o]);
                    }
                }
            }
        }
    }

    /** Each calling thread's buffer for {@link #packFour}: grown, never shrunk, as a step's widths are fixed. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * The first {@code 4 quads} inputs of x (laid out (count, in)) packed four by four for the group kernels:
     * quad q's input i at [q * 4 in + 4 i + k] for candidate 4q + k. Into the calling thread's buffer, which
     * the next call overwrites.
     */
    static float[] packFour(float[] x, int in, int quads) {
        float[] p = PACKED.get();
        if (p.length < 4 * quads * in) {
            p = new float[4 * quads * in];
            PACKED.set(p);
        }
        for (int q = 0; q < quads; q++) {
            int to = 4 * q * in;
            for (int k = 0; k < 4; k++) {
                int src = (4 * q + k) * in;
                for (int i = 0; i < in; i++) {
                    p[to + 4 * i + k] = x[src + i];
                }
            }
        }
        return p;
    }

    /**
     * Writes the whole blocks of {@code m} widened to fp32 into {@code dst} as an (in, out) row-major matrix,
     * each output times its scale (see {@link HalfMatrix#widenedInByOut}).
     */
    static void widenBlocks(HalfMatrix m, ByteBuffer dst, boolean f16) {
        ByteBuffer w = m.data;
        int in = m.in;
        int out = m.out;
        int l = S.length();
        for (int b = 0; b < m.fullBlocks; b++) {
            FloatVector s0 = scaleVector(m, b * BlockedMatrix.BLOCK);
            FloatVector s1 = scaleVector(m, b * BlockedMatrix.BLOCK + l);
            FloatVector s2 = scaleVector(m, b * BlockedMatrix.BLOCK + 2 * l);
            FloatVector s3 = scaleVector(m, b * BlockedMatrix.BLOCK + 3 * l);
            for (int i = 0; i < in; i++) {
                int src = 2 * (b * in * BlockedMatrix.BLOCK + i * 2 * l);
                int to = 4 * (i * out + b * BlockedMatrix.BLOCK);
                IntVector g0 = IntVector.fromByteBuffer(I, w, src, ByteOrder.LITTLE_ENDIAN);
                IntVector g1 = IntVector.fromByteBuffer(I, w, src + 4 * l * in, ByteOrder.LITTLE_ENDIAN);
                low(g0, f16).mul(s0).intoByteBuffer(dst, to, ByteOrder.LITTLE_ENDIAN);
                high(g0, f16).mul(s1).intoByteBuffer(dst, to + 4 * l, ByteOrder.LITTLE_ENDIAN);
                low(g1, f16).mul(s2).intoByteBuffer(dst, to + 8 * l, ByteOrder.LITTLE_ENDIAN);
                high(g1, f16).mul(s3).intoByteBuffer(dst, to + 12 * l, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    private static FloatVector scaleVector(HalfMatrix m, int from) {
        return m.scale == null ? FloatVector.broadcast(S, 1f) : FloatVector.fromArray(S, m.scale, from);
    }

    /**
     * Half of one block (group {@code group}: 2L of its 4L outputs) for four candidates: 8 accumulators, two
     * weight vectors and a broadcast, which fit 16 vector registers (see {@link #splitFour}). {@code xp} holds
     * the four candidates' inputs packed input by input from {@code xOff} ([in][4], {@link #packFour}), so
     * the four broadcasts of an input read one 16-byte run under one bounds check.
     */
    static void half4Bf16Group(HalfMatrix m, int unit, float[] xp, int xOff, float[] y, int n0, int group) {
        ByteBuffer w = m.data;
        int in = m.in;
        int groupBytes = 2 * BlockedMatrix.BLOCK / 2; // a group's input row: 2L values of 2 bytes
        int base = unit * in * 2 * groupBytes + group * in * groupBytes;
        int l = S.length();
        FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S), a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
        int end = xOff + 4 * in;
        for (int i = xOff, p = base; i < end; i += 4, p += groupBytes) {
            IntVector g = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            FloatVector lo = low(g, false);
            FloatVector hi = high(g, false);
            float x3 = xp[i + 3]; // the highest index first: one bounds check covers the four reads
            FloatVector v = FloatVector.broadcast(S, xp[i]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, xp[i + 1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(S, xp[i + 2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(S, x3);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
        }
        int at = n0 * m.out + unit * BlockedMatrix.BLOCK + group * 2 * l;
        a0.intoArray(y, at);
        b0.intoArray(y, at + l);
        at += m.out;
        a1.intoArray(y, at);
        b1.intoArray(y, at + l);
        at += m.out;
        a2.intoArray(y, at);
        b2.intoArray(y, at + l);
        at += m.out;
        a3.intoArray(y, at);
        b3.intoArray(y, at + l);
    }

    /**
     * Half of one block (group {@code group}: 2L of its 4L outputs) for four candidates: 8 accumulators, two
     * weight vectors and a broadcast, which fit 16 vector registers (see {@link #splitFour}). {@code xp} holds
     * the four candidates' inputs packed input by input from {@code xOff} ([in][4], {@link #packFour}), so
     * the four broadcasts of an input read one 16-byte run under one bounds check.
     */
    static void half4F16Group(HalfMatrix m, int unit, float[] xp, int xOff, float[] y, int n0, int group) {
        ByteBuffer w = m.data;
        int in = m.in;
        int groupBytes = 2 * BlockedMatrix.BLOCK / 2; // a group's input row: 2L values of 2 bytes
        int base = unit * in * 2 * groupBytes + group * in * groupBytes;
        int l = S.length();
        FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S), a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
        int end = xOff + 4 * in;
        for (int i = xOff, p = base; i < end; i += 4, p += groupBytes) {
            IntVector g = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            FloatVector lo = low(g, true);
            FloatVector hi = high(g, true);
            float x3 = xp[i + 3]; // the highest index first: one bounds check covers the four reads
            FloatVector v = FloatVector.broadcast(S, xp[i]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, xp[i + 1]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(S, xp[i + 2]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(S, x3);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
        }
        int at = n0 * m.out + unit * BlockedMatrix.BLOCK + group * 2 * l;
        a0.intoArray(y, at);
        b0.intoArray(y, at + l);
        at += m.out;
        a1.intoArray(y, at);
        b1.intoArray(y, at + l);
        at += m.out;
        a2.intoArray(y, at);
        b2.intoArray(y, at + l);
        at += m.out;
        a3.intoArray(y, at);
        b3.intoArray(y, at + l);
    }

    /** Outputs j of a group loaded as ints: the low 16 bits of each word, widened. */
    static FloatVector low(IntVector v, boolean f16) {
        if (!f16) {
            return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        IntVector magnitude = v.lanewise(VectorOperators.LSHL, 13).and(F16_MAGNITUDE);
        IntVector sign = v.lanewise(VectorOperators.LSHL, 16).and(SIGN);
        return magnitude.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** Outputs j + L of a group loaded as ints: the high 16 bits of each word, widened. */
    static FloatVector high(IntVector v, boolean f16) {
        if (!f16) {
            return v.and(0xffff0000).reinterpretAsFloats();
        }
        IntVector magnitude = v.lanewise(VectorOperators.LSHR, 3).and(F16_MAGNITUDE);
        IntVector sign = v.and(SIGN);
        return magnitude.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /**
     * The kernel's widening of one group of 2 x L half-precision values (L floats per vector) read as L
     * little-endian ints from {@code byteOffset}: value 2j comes out at j, value 2j + 1 at L + j. For tests.
     */
    public static float[] widenGroup(ByteBuffer data, int byteOffset, boolean f16) {
        IntVector v = IntVector.fromByteBuffer(I, data, byteOffset, ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[2 * S.length()];
        low(v, f16).intoArray(out, 0);
        high(v, f16).intoArray(out, S.length());
        return out;
    }

    /** One block for one candidate over bf16 weights; two accumulator sets over the two halves of the input hide FMA latency. */
    private static void half1Bf16(HalfMatrix m, int unit, float[] x, float[] y, int n) {
        ByteBuffer w = m.data;
        int in = m.in;
        int rowBytes = 2 * BlockedMatrix.BLOCK;
        int groupBytes = rowBytes / 2;
        int base = unit * in * rowBytes;
        int second = in * groupBytes; // group 1's stream, after group 0's
        int xo = n * in;
        int half = in / 2;
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        for (int i = 0; i < half; i++) {
            int p = base + i * groupBytes;
            int q = p + half * groupBytes;
            FloatVector b = FloatVector.broadcast(S, x[xo + i]);
            FloatVector d = FloatVector.broadcast(S, x[xo + half + i]);
            IntVector g0 = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            IntVector g1 = IntVector.fromByteBuffer(I, w, p + second, ByteOrder.LITTLE_ENDIAN);
            IntVector h0 = IntVector.fromByteBuffer(I, w, q, ByteOrder.LITTLE_ENDIAN);
            IntVector h1 = IntVector.fromByteBuffer(I, w, q + second, ByteOrder.LITTLE_ENDIAN);
            a0 = low(g0, false).fma(b, a0);
            a1 = high(g0, false).fma(b, a1);
            a2 = low(g1, false).fma(b, a2);
            a3 = high(g1, false).fma(b, a3);
            c0 = low(h0, false).fma(d, c0);
            c1 = high(h0, false).fma(d, c1);
            c2 = low(h1, false).fma(d, c2);
            c3 = high(h1, false).fma(d, c3);
        }
        if ((in & 1) == 1) {
            int p = base + (in - 1) * groupBytes;
            FloatVector b = FloatVector.broadcast(S, x[xo + in - 1]);
            IntVector g0 = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            IntVector g1 = IntVector.fromByteBuffer(I, w, p + second, ByteOrder.LITTLE_ENDIAN);
            a0 = low(g0, false).fma(b, a0);
            a1 = high(g0, false).fma(b, a1);
            a2 = low(g1, false).fma(b, a2);
            a3 = high(g1, false).fma(b, a3);
        }
        int l = S.length();
        int at = n * m.out + unit * BlockedMatrix.BLOCK;
        a0.add(c0).intoArray(y, at);
        a1.add(c1).intoArray(y, at + l);
        a2.add(c2).intoArray(y, at + 2 * l);
        a3.add(c3).intoArray(y, at + 3 * l);
    }

    /**
     * One block for one candidate over fp16 weights, one input per iteration: fp16's widening takes more
     * registers than bf16's, and the two-halves split of {@link #half1Bf16} made the loop too large for the
     * JIT to keep its vectors unboxed (fp16 N=1 ran several times slower than bf16).
     */
    private static void half1F16(HalfMatrix m, int unit, float[] x, float[] y, int n) {
        ByteBuffer w = m.data;
        int in = m.in;
        int rowBytes = 2 * BlockedMatrix.BLOCK;
        int groupBytes = rowBytes / 2;
        int base = unit * in * rowBytes;
        int second = in * groupBytes; // group 1's stream, after group 0's
        int xo = n * in;
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        for (int i = 0; i < in; i++) {
            int p = base + i * groupBytes;
            FloatVector b = FloatVector.broadcast(S, x[xo + i]);
            IntVector g0 = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            IntVector g1 = IntVector.fromByteBuffer(I, w, p + second, ByteOrder.LITTLE_ENDIAN);
            a0 = low(g0, true).fma(b, a0);
            a1 = high(g0, true).fma(b, a1);
            a2 = low(g1, true).fma(b, a2);
            a3 = high(g1, true).fma(b, a3);
        }
        int l = S.length();
        int at = n * m.out + unit * BlockedMatrix.BLOCK;
        a0.intoArray(y, at);
        a1.intoArray(y, at + l);
        a2.intoArray(y, at + 2 * l);
        a3.intoArray(y, at + 3 * l);
    }

    /** One block for four candidates over bf16 weights: each group loaded and widened once feeds four FMAs per vector. */
    static void half4Bf16(HalfMatrix m, int unit, float[] x, float[] y, int n0) {
        ByteBuffer w = m.data;
        int in = m.in;
        int rowBytes = 2 * BlockedMatrix.BLOCK;
        int groupBytes = rowBytes / 2;
        int base = unit * in * rowBytes;
        int second = in * groupBytes; // group 1's stream, after group 0's
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
            int p = base + i * groupBytes;
            IntVector g0 = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            IntVector g1 = IntVector.fromByteBuffer(I, w, p + second, ByteOrder.LITTLE_ENDIAN);
            FloatVector w0 = low(g0, false);
            FloatVector w1 = high(g0, false);
            FloatVector w2 = low(g1, false);
            FloatVector w3 = high(g1, false);
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
    }

    /** One block for four candidates over fp16 weights: each group loaded and widened once feeds four FMAs per vector. */
    static void half4F16(HalfMatrix m, int unit, float[] x, float[] y, int n0) {
        ByteBuffer w = m.data;
        int in = m.in;
        int rowBytes = 2 * BlockedMatrix.BLOCK;
        int groupBytes = rowBytes / 2;
        int base = unit * in * rowBytes;
        int second = in * groupBytes; // group 1's stream, after group 0's
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
            int p = base + i * groupBytes;
            IntVector g0 = IntVector.fromByteBuffer(I, w, p, ByteOrder.LITTLE_ENDIAN);
            IntVector g1 = IntVector.fromByteBuffer(I, w, p + second, ByteOrder.LITTLE_ENDIAN);
            FloatVector w0 = low(g0, true);
            FloatVector w1 = high(g0, true);
            FloatVector w2 = low(g1, true);
            FloatVector w3 = high(g1, true);
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
    }

    /** Applies the per-output scale and adds the bias to one block of one candidate's outputs. */
    private static void finish(HalfMatrix m, float[] y, int n, int unit) {
        int o = unit * BlockedMatrix.BLOCK;
        int at = n * m.out + o;
        if (m.scale != null) {
            for (int j = 0; j < BlockedMatrix.BLOCK; j++) {
                y[at + j] *= m.scale[o + j];
            }
        }
        if (m.bias != null) {
            for (int j = 0; j < BlockedMatrix.BLOCK; j++) {
                y[at + j] += m.bias[o + j];
            }
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
            exp(FloatVector.fromArray(S, src, srcOff + i).sub(s)).intoArray(dst, dstOff + i);
        }
        for (; i < count; i++) {
            dst[dstOff + i] = exp(src[srcOff + i] - shift);
        }
    }

    // exp(x) from exactly rounded operations only (min, max, fma, add, mul and integer bit work), the same bits
    // in a vector lane and in the scalar form below, interpreted or compiled, on any machine. The Vector API's
    // own EXP lane op is Math.exp per lane until C2 compiles it and an SVML routine after, and the two differ in
    // the last bit for some inputs: the same seed then drew another take in a fresh JVM than in a
    // warm one. Range reduction x = n ln2 + r with ln2 split in two (Cody and Waite), |r| <= ln2 / 2, then the
    // Cephes polynomial for exp(r) (relative error about 1e-7) and 2^n applied as two halves, so every scale is
    // a normal float down to the denormal results.
    private static final float EXP_MAX = 88.72283905206835f;  // above: infinity, as Math.exp
    private static final float EXP_MIN = -103.97207708f;      // below: 0, as Math.exp (the smallest denormal's log)
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: c * log2(e) plus this rounds to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float[] EXP_POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
            1.6666665459e-1f, 5.0000001201e-1f};

    private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(S, -LN2_HI);
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(S, -LN2_LO);
    private static final FloatVector P2 = FloatVector.broadcast(S, EXP_POLY[2]);
    private static final FloatVector P3 = FloatVector.broadcast(S, EXP_POLY[3]);
    private static final FloatVector P4 = FloatVector.broadcast(S, EXP_POLY[4]);
    private static final FloatVector P5 = FloatVector.broadcast(S, EXP_POLY[5]);

    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = c.fma(LOG2E, ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(MINUS_LN2_HI, c);
        r = n.fma(MINUS_LN2_LO, r);
        // Horner, unrolled: the scalar form's loop in the same order
        FloatVector p = r.fma(EXP_POLY[0], EXP_POLY[1]);
        p = p.fma(r, P2);
        p = p.fma(r, P3);
        p = p.fma(r, P4);
        p = p.fma(r, P5);
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector low = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector high = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        y = y.mul(low).mul(high);
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
        return y.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    }

    /** The same bits as a lane of {@link #exp(FloatVector)}. */
    static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = Math.fma(c, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = EXP_POLY[0];
        for (int k = 1; k < EXP_POLY.length; k++) {
            p = Math.fma(p, r, EXP_POLY[k]);
        }
        float y = Math.fma(p, r * r, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        int half = ni >> 1;
        y = y * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ni - half + 127) << 23);
        return x > EXP_MAX ? Float.POSITIVE_INFINITY : x < EXP_MIN ? 0f : y;
    }

    /** In place, x * sigmoid(1.702 x) (Jukebox's quick GELU) over [from, to). */
    public static void quickGelu(float[] x, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector e = exp(v.mul(-1.702f));
            v.div(e.add(one)).intoArray(x, i);
        }
        for (; i < to; i++) {
            float v = x[i];
            x[i] = v / (1f + exp(-1.702f * v));
        }
    }
}
