package dev.segue.engine.checkpoint;

/**
 * Bit conversions between fp32 and the two 16-bit float formats. Rounding is to nearest, ties to even
 * (what torch's {@code .to(torch.bfloat16)} and {@code .half()} do); widening is exact.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** bf16 bits to fp32: the upper half of the fp32 bits. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** fp16 bits to fp32, exactly (subnormals, signed zeros, infinities and NaN included). */
    public static float f16ToFloat(short bits) {
        return TensorEntry.halfToFloat(bits);
    }

    /** fp32 to bf16 bits, rounded to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /**
     * fp32 to fp16 bits, rounded to nearest even. Values beyond fp16's range become infinities: callers
     * that hold weights refuse those (see {@link #isFiniteF16}).
     */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00); // NaN
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00); // rounds past 65504: infinity
        }
        if (abs < 0x38800000) {
            // Below the smallest normal (2^-14): a subnormal multiple of 2^-24, rounded to nearest even.
            if (abs < 0x33000000) {
                return (short) sign; // under half of 2^-24: zero
            }
            int exponent = abs >>> 23;
            int mantissa = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exponent; // 14 + 23 - (exponent - 127) - 24 ... bits to drop
            int kept = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (kept & 1) == 1)) {
                kept++;
            }
            return (short) (sign | kept);
        }
        int rounded = abs - 0x38000000 + 0xfff + ((abs >>> 13) & 1); // rebias 127 -> 15, round at bit 13
        return (short) (sign | (rounded >>> 13));
    }

    /** Whether fp16 bits hold a finite value (the step kernel's integer widening assumes so). */
    public static boolean isFiniteF16(short bits) {
        return (bits & 0x7c00) != 0x7c00;
    }
}
