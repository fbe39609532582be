package dev.segue.engine.nn;

import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention's two reads over cached key and value rows held in a (little-endian) buffer in fp32, bf16 or
 * fp16: the dot product of a query with one key row, and the weighted sum of value rows.
 *
 * <p>A row of {@code len} values is stored as fp32 in order; in half precision it is stored as
 * {@link HalfMatrix} stores a block's input row, so that one load of L ints gives two vectors of L floats
 * with a shift or a mask and no shuffle: the row's values in groups of 2L, word j of a group holding value
 * j in its low half and value j + L in its high half. Values past the last whole group follow in order.
 * Rounding to half precision is to nearest, ties to even ({@link HalfFloats}).
 */
public final class KvRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int GROUP = 2 * L;

    private KvRows() {}

    /** Bytes per value in {@code format} (F32, BF16 or F16). */
    public static int bytes(DType format) {
        return switch (format) {
            case F32 -> 4;
            case BF16, F16 -> 2;
            default -> throw new IllegalArgumentException("key/value rows are held as F32, BF16 or F16, not " + format);
        };
    }

    /** Where value {@code e} of a half-precision row of {@code len} values lies, in values from the row's start. */
    static int position(int e, int len) {
        int full = len / GROUP * GROUP;
        if (e >= full) {
            return e;
        }
        int within = e % GROUP;
        return e - within + 2 * (within % L) + within / L;
    }

    /** Writes {@code len} values from {@code src} as the row at {@code byteOff}, rounded to {@code format}. */
    public static void put(DType format, ByteBuffer buf, int byteOff, float[] src, int srcOff, int len) {
        switch (format) {
            case F32 -> {
                for (int e = 0; e < len; e++) {
                    buf.putFloat(byteOff + 4 * e, src[srcOff + e]);
                }
            }
            case BF16 -> {
                for (int e = 0; e < len; e++) {
                    buf.putShort(byteOff + 2 * position(e, len), HalfFloats.floatToBf16(src[srcOff + e]));
                }
            }
            case F16 -> {
                for (int e = 0; e < len; e++) {
                    buf.putShort(byteOff + 2 * position(e, len), HalfFloats.floatToF16(src[srcOff + e]));
                }
            }
            default -> throw new IllegalArgumentException("key/value rows are held as F32, BF16 or F16, not " + format);
        }
    }

    /** Value {@code e} of the row of {@code len} values at {@code byteOff}, widened. */
    public static float get(DType format, ByteBuffer buf, int byteOff, int e, int len) {
        return switch (format) {
            case F32 -> buf.getFloat(byteOff + 4 * e);
            case BF16 -> HalfFloats.bf16ToFloat(buf.getShort(byteOff + 2 * position(e, len)));
            case F16 -> HalfFloats.f16ToFloat(buf.getShort(byteOff + 2 * position(e, len)));
            default -> throw new IllegalArgumentException("key/value rows are held as F32, BF16 or F16, not " + format);
        };
    }

    /** q[qOff, + len) . the row at {@code byteOff}. */
    public static float dot(DType format, float[] q, int qOff, ByteBuffer buf, int byteOff, int len) {
        return switch (format) {
            case F32 -> dotF32(q, qOff, buf, byteOff, len);
            // The format a constant in each call, so the widening folds into the loop (see VectorMath.matVec).
            case BF16 -> dotHalf(q, qOff, buf, byteOff, len, false);
            case F16 -> dotHalf(q, qOff, buf, byteOff, len, true);
            default -> throw new IllegalArgumentException("key/value rows are held as F32, BF16 or F16, not " + format);
        };
    }

    /**
     * out[outOff, + len) = scale x the sum over r < count of w[wOff + r] x the row at rowOff + r x rowStride
     * (bytes): attention's weighted sum of values, each output vector accumulated in registers over all rows.
     */
    public static void weightedRows(DType format, float[] w, int wOff, float scale, int count, ByteBuffer buf,
                                    int rowOff, int rowStride, float[] out, int outOff, int len) {
        switch (format) {
            case F32 -> weightedF32(w, wOff, scale, count, buf, rowOff, rowStride, out, outOff, len);
            case BF16 -> weightedHalf(w, wOff, scale, count, buf, rowOff, rowStride, out, outOff, len, false);
            case F16 -> weightedHalf(w, wOff, scale, count, buf, rowOff, rowStride, out, outOff, len, true);
            default -> throw new IllegalArgumentException("key/value rows are held as F32, BF16 or F16, not " + format);
        }
    }

    private static float dotF32(float[] q, int qOff, ByteBuffer buf, int byteOff, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += L) {
            acc = FloatVector.fromArray(S, q, qOff + i)
                    .fma(FloatVector.fromByteBuffer(S, buf, byteOff + 4 * i, ByteOrder.LITTLE_ENDIAN), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += q[qOff + i] * buf.getFloat(byteOff + 4 * i);
        }
        return s;
    }

    private static float dotHalf(float[] q, int qOff, ByteBuffer buf, int byteOff, int len, boolean f16) {
        FloatVector low = FloatVector.zero(S);
        FloatVector high = FloatVector.zero(S);
        int full = len / GROUP * GROUP;
        for (int g = 0; g < full; g += GROUP) {
            IntVector v = IntVector.fromByteBuffer(I, buf, byteOff + 2 * g, ByteOrder.LITTLE_ENDIAN);
            low = FloatVector.fromArray(S, q, qOff + g).fma(VectorMath.low(v, f16), low);
            high = FloatVector.fromArray(S, q, qOff + g + L).fma(VectorMath.high(v, f16), high);
        }
        float s = low.add(high).reduceLanes(VectorOperators.ADD);
        for (int e = full; e < len; e++) {
            short bits = buf.getShort(byteOff + 2 * e);
            s += q[qOff + e] * (f16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits));
        }
        return s;
    }

    private static void weightedF32(float[] w, int wOff, float scale, int count, ByteBuffer buf, int rowOff,
                                    int rowStride, float[] out, int outOff, int len) {
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += L) {
            FloatVector even = FloatVector.zero(S);
            FloatVector odd = FloatVector.zero(S);
            int r = 0;
            for (; r + 1 < count; r += 2) {
                even = FloatVector.fromByteBuffer(S, buf, rowOff + r * rowStride + 4 * i, ByteOrder.LITTLE_ENDIAN)
                        .fma(FloatVector.broadcast(S, w[wOff + r]), even);
                odd = FloatVector.fromByteBuffer(S, buf, rowOff + (r + 1) * rowStride + 4 * i, ByteOrder.LITTLE_ENDIAN)
                        .fma(FloatVector.broadcast(S, w[wOff + r + 1]), odd);
            }
            if (r < count) {
                even = FloatVector.fromByteBuffer(S, buf, rowOff + r * rowStride + 4 * i, ByteOrder.LITTLE_ENDIAN)
                        .fma(FloatVector.broadcast(S, w[wOff + r]), even);
            }
            even.add(odd).mul(scale).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            float acc = 0f;
            for (int r = 0; r < count; r++) {
                acc += w[wOff + r] * buf.getFloat(rowOff + r * rowStride + 4 * i);
            }
            out[outOff + i] = acc * scale;
        }
    }

    private static void weightedHalf(float[] w, int wOff, float scale, int count, ByteBuffer buf, int rowOff,
                                     int rowStride, float[] out, int outOff, int len, boolean f16) {
        int full = len / GROUP * GROUP;
        for (int g = 0; g < full; g += GROUP) {
            FloatVector low = FloatVector.zero(S);
            FloatVector high = FloatVector.zero(S);
            for (int r = 0; r < count; r++) {
                IntVector v = IntVector.fromByteBuffer(I, buf, rowOff + r * rowStride + 2 * g, ByteOrder.LITTLE_ENDIAN);
                FloatVector weight = FloatVector.broadcast(S, w[wOff + r]);
                low = VectorMath.low(v, f16).fma(weight, low);
                high = VectorMath.high(v, f16).fma(weight, high);
            }
            low.mul(scale).intoArray(out, outOff + g);
            high.mul(scale).intoArray(out, outOff + g + L);
        }
        for (int e = full; e < len; e++) {
            float acc = 0f;
            for (int r = 0; r < count; r++) {
                short bits = buf.getShort(rowOff + r * rowStride + 2 * e);
                acc += w[wOff + r] * (f16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits));
            }
            out[outOff + e] = acc * scale;
        }
    }
}
