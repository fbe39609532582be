package dev.segue.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.HalfFloats;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.nn.Djl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Half-precision weights: the kernel's register widening is exact for every bf16 and every finite fp16
 * bit pattern (subnormals and negative zero included), rounding to half precision is to nearest even, the
 * matrix layout keeps every weight where the kernel and libtorch look for it, and libtorch's view of a
 * matrix is the kernel's memory itself, not a copy.
 */
class HalfMatrixTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();
    private static NDManager root;

    @BeforeAll
    static void setUp() {
        root = Djl.cpuManager();
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    /** Every 16-bit pattern through the kernel's widening, compared bit for bit with the scalar conversion. */
    @ParameterizedTest(name = "fp16 {0}")
    @CsvSource({"true", "false"})
    void registerWideningIsExactForEveryPattern(boolean f16) {
        int perGroup = 2 * L;
        ByteBuffer buf = ByteBuffer.allocateDirect(2 * perGroup).order(ByteOrder.LITTLE_ENDIAN);
        int checked = 0;
        for (int first = 0; first < 0x10000; first += perGroup) {
            for (int k = 0; k < perGroup; k++) {
                buf.putShort(2 * k, (short) (first + k));
            }
            float[] wide = VectorMath.widenGroup(buf, 0, f16);
            for (int k = 0; k < perGroup; k++) {
                short bits = (short) (first + k);
                if (f16 && !HalfFloats.isFiniteF16(bits)) {
                    continue; // refused at load: the integer widening does not keep infinities and NaN
                }
                float expected = f16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits);
                float actual = wide[(k % 2) * L + k / 2];
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(actual), "pattern " + Integer.toHexString(bits & 0xffff));
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                            "pattern " + Integer.toHexString(bits & 0xffff));
                }
                checked++;
            }
        }
        assertEquals(f16 ? 0x10000 - 2 * 0x400 : 0x10000, checked);
    }

    @Test
    void knownPatternsWidenToKnownValues() {
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001)); // smallest fp16 subnormal
        assertEquals(0x3ffp-24f, HalfFloats.f16ToFloat((short) 0x03ff)); // largest fp16 subnormal
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x8000)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(HalfFloats.bf16ToFloat((short) 0x8000)));
        assertEquals(-1f, HalfFloats.bf16ToFloat((short) 0xbf80));
        assertEquals(Float.MIN_VALUE * 0x10000, HalfFloats.bf16ToFloat((short) 0x0001)); // bf16 subnormal
    }

    /** Rounding: every representable value comes back to itself, and midpoints go to the even neighbour. */
    @ParameterizedTest(name = "fp16 {0}")
    @CsvSource({"true", "false"})
    void roundingIsToNearestEven(boolean f16) {
        for (int h = 0; h < 0x7fff; h++) {
            short a = (short) h;
            short b = (short) (h + 1);
            if (f16 ? !HalfFloats.isFiniteF16(b) : h + 1 >= 0x7f80) {
                break;
            }
            float fa = f16 ? HalfFloats.f16ToFloat(a) : HalfFloats.bf16ToFloat(a);
            float fb = f16 ? HalfFloats.f16ToFloat(b) : HalfFloats.bf16ToFloat(b);
            assertEquals(a, round(fa, f16));
            assertEquals((short) (a | 0x8000), round(-fa, f16));
            float mid = (float) (((double) fa + fb) / 2);
            assertEquals((h & 1) == 0 ? a : b, round(mid, f16), "midpoint above " + Integer.toHexString(h));
            assertEquals(a, round(Math.nextDown(mid), f16));
            assertEquals(b, round(Math.nextUp(mid), f16));
        }
        assertEquals(0x7c00, HalfFloats.floatToF16(65520f)); // past fp16's range: infinity, refused at load
    }

    private static short round(float v, boolean f16) {
        return f16 ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v);
    }

    /**
     * A matrix with a partial last block, loaded from (in, out) and from (out, in): each weight is where the
     * kernel and libtorch read it, products for 1 to 6 inputs (the 4-input blocks and the remainders) match
     * a plain sum over the rounded weights, and libtorch's fp32 (out, in) weight and prefill's (in, out) weight
     * are those weights exactly.
     */
    @ParameterizedTest(name = "{0}, out by in {1}")
    @CsvSource({"BF16, false", "F16, false", "BF16, true", "F16, true"})
    void layoutProductsAndLibtorchViewAgree(DType held, boolean outByIn) {
        int in = 37;
        int out = 2 * BlockedMatrix.BLOCK + 5;
        Random random = new Random(5);
        float[][] w = new float[in][out];
        float[] bias = new float[out];
        float[] scale = new float[out];
        for (int o = 0; o < out; o++) {
            bias[o] = (float) random.nextGaussian();
            scale[o] = o < 20 ? 0.25f : 1f;
            for (int i = 0; i < in; i++) {
                w[i][o] = (float) random.nextGaussian();
            }
        }
        w[3][4] = 0x1p-20f; // an fp16 subnormal
        w[5][6] = -0f;
        ByteBuffer bytes = ByteBuffer.allocate(4 * in * out).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < (outByIn ? out : in); r++) {
            for (int c = 0; c < (outByIn ? in : out); c++) {
                bytes.putFloat(outByIn ? w[c][r] : w[r][c]);
            }
        }
        long[] shape = outByIn ? new long[] {out, in} : new long[] {in, out};
        TensorEntry entry = new TensorEntry("w", DType.F32, shape, bytes.flip());
        boolean f16 = held == DType.F16;
        try (NDManager m = root.newSubManager()) {
            HalfMatrix matrix = HalfMatrix.load(entry, outByIn, held, bias, scale, in, out, m);
            float[][] rounded = new float[in][out];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    short bits = f16 ? HalfFloats.floatToF16(w[i][o]) : HalfFloats.floatToBf16(w[i][o]);
                    rounded[i][o] = f16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits);
                    assertEquals(Float.floatToRawIntBits(rounded[i][o]), Float.floatToRawIntBits(matrix.get(i, o)));
                }
            }
            for (int count : new int[] {1, 2, 3, 4, 5, 8, 9}) { // none, one and two quads of four, and a rest
                float[] x = new float[count * in];
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) random.nextGaussian();
                }
                float[] y = new float[count * out];
                matrix.matVec(x, y, count, 0, matrix.units());
                for (int n = 0; n < count; n++) {
                    for (int o = 0; o < out; o++) {
                        double sum = 0;
                        double magnitude = 0;
                        for (int i = 0; i < in; i++) {
                            sum += (double) rounded[i][o] * x[n * in + i];
                            magnitude += Math.abs((double) rounded[i][o] * x[n * in + i]);
                        }
                        double expected = sum * scale[o] + bias[o];
                        assertEquals(expected, y[n * out + o], 1e-5 * (magnitude + 1), "input " + n + " output " + o);
                    }
                }
            }
            try (NDManager scope = m.newSubManager()) {
                float[] wide = matrix.widened(scope).toFloatArray();
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        assertEquals(rounded[i][o] * scale[o], wide[o * in + i], 0f, "weight " + i + ", " + o);
                    }
                }
                // Prefill's (in, out) form, widened in Java: the same values, bit for bit.
                float[] inByOut = matrix.widenedInByOut(scope).toFloatArray();
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        assertEquals(Float.floatToRawIntBits(rounded[i][o] * scale[o]),
                                Float.floatToRawIntBits(inByOut[i * out + o]), "(in, out) weight " + i + ", " + o);
                    }
                }
            }
        }
    }

    /**
     * The two four-candidate loops (a whole block at a time, and half a block at a time where vectors are
     * narrow: {@link VectorMath#splitFour}) give the same outputs bit for bit, whichever one this machine's
     * matVec picks.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"BF16", "F16"})
    void wholeAndHalfBlockLoopsAgree(DType held) {
        int in = 45;
        int out = 3 * BlockedMatrix.BLOCK;
        Random random = new Random(11);
        ByteBuffer bytes = ByteBuffer.allocate(4 * in * out).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < in * out; k++) {
            bytes.putFloat((float) random.nextGaussian());
        }
        float[] x = new float[4 * in];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextGaussian();
        }
        try (NDManager m = root.newSubManager()) {
            HalfMatrix matrix = HalfMatrix.load(new TensorEntry("w", DType.F32, new long[] {in, out}, bytes.flip()), false,
                    held, null, null, in, out, m);
            float[] whole = new float[4 * out];
            float[] halves = new float[4 * out];
            float[] packed = VectorMath.packFour(x, in, 1);
            for (int unit = 0; unit < matrix.fullBlocks; unit++) {
                if (held == DType.F16) {
                    VectorMath.half4F16(matrix, unit, x, whole, 0);
                } else {
                    VectorMath.half4Bf16(matrix, unit, x, whole, 0);
                }
                for (int group = 0; group < 2; group++) {
                    if (held == DType.F16) {
                        VectorMath.half4F16Group(matrix, unit, packed, 0, halves, 0, group);
                    } else {
                        VectorMath.half4Bf16Group(matrix, unit, packed, 0, halves, 0, group);
                    }
                }
            }
            for (int k = 0; k < whole.length; k++) {
                assertEquals(Float.floatToRawIntBits(whole[k]), Float.floatToRawIntBits(halves[k]), "output " + k);
            }
            assertTrue(whole[5] != 0f, "the loops wrote their outputs");
        }
    }

    /** libtorch reads the kernel's memory: a weight written through the kernel's buffer shows in the next prefill weight. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"BF16", "F16"})
    void libtorchViewsTheSameMemory(DType held) {
        int in = 8;
        int out = BlockedMatrix.BLOCK;
        ByteBuffer bytes = ByteBuffer.allocate(4 * in * out).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < in * out; k++) {
            bytes.putFloat(1f);
        }
        try (NDManager m = root.newSubManager()) {
            HalfMatrix matrix = HalfMatrix.load(new TensorEntry("w", DType.F32, new long[] {in, out}, bytes.flip()),
                    false, held, null, null, in, out, m);
            short two = held == DType.F16 ? HalfFloats.floatToF16(2f) : HalfFloats.floatToBf16(2f);
            matrix.buffer().putShort(2 * matrix.index(3, 7), two);
            assertEquals(2f, matrix.get(3, 7));
            try (NDManager scope = m.newSubManager()) {
                NDArray wide = matrix.widened(scope);
                assertEquals(2f, wide.getFloat(7, 3));
                assertEquals(1f, wide.getFloat(7, 2));
            }
            NDArray storage = matrix.storage();
            assertEquals((long) in * out, storage.size());
        }
    }

    @Test
    void fp16RefusesWeightsBeyondItsRange() {
        ByteBuffer bytes = ByteBuffer.allocate(4 * BlockedMatrix.BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putFloat(0, 1e5f);
        try (NDManager m = root.newSubManager()) {
            TensorEntry entry = new TensorEntry("big", DType.F32, new long[] {1, BlockedMatrix.BLOCK}, bytes);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> HalfMatrix.load(entry, false, DType.F16, null, null, 1, BlockedMatrix.BLOCK, m));
            assertTrue(e.getMessage().contains("bf16"), e.getMessage());
        }
    }
}
