package dev.segue.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The attention helpers of the step kernel against plain loops, at lengths around the SIMD width. */
class VectorMathTest {
    @ParameterizedTest(name = "{0} rows of {1}, stride {2}")
    @CsvSource({"1,32,64", "2,32,64", "31,32,64", "32,32,2048", "7,5,11", "0,16,32", "3,40,40"})
    void weightedRowsIsTheScaledWeightedSum(int count, int len, int stride) {
        Random random = new Random(count * 31L + len);
        float[] w = new float[count + 3];
        float[] rows = new float[5 + Math.max(1, count) * stride];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextFloat();
        }
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random.nextFloat() - 0.5f;
        }
        float[] out = new float[len + 2];
        out[0] = 99f;
        out[len + 1] = 99f;
        VectorMath.weightedRows(w, 3, 0.5f, count, rows, 5, stride, out, 1, len);
        for (int i = 0; i < len; i++) {
            double expected = 0;
            for (int r = 0; r < count; r++) {
                expected += (double) w[3 + r] * rows[5 + r * stride + i];
            }
            assertEquals(expected * 0.5, out[1 + i], 1e-5, "output " + i);
        }
        assertEquals(99f, out[0]);
        assertEquals(99f, out[len + 1]);
    }

    @ParameterizedTest(name = "sum of {0}")
    @CsvSource({"0", "1", "15", "16", "17", "100"})
    void sumAddsEveryValue(int count) {
        float[] x = new float[count + 2];
        double expected = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.25f;
            if (i >= 2) {
                expected += x[i];
            }
        }
        assertEquals(expected, VectorMath.sum(x, 2, count), 1e-3);
    }

    /** The kernel's exp against Math.exp, over the whole float range and its edges. */
    @Test
    void expIsWithinAFewUnitsOfMathExp() {
        for (float x = -103.9f; x <= 88.72f; x += 0.0137f) {
            float got = VectorMath.exp(x);
            double want = Math.exp(x);
            if (want >= Float.MIN_NORMAL) {
                assertTrue(Math.abs(got - want) <= 3e-7 * want, "exp(" + x + ") = " + got + ", Math.exp " + want);
            } else {
                assertTrue(Math.abs(got - want) <= 2 * Float.MIN_VALUE, "denormal exp(" + x + ") = " + got);
            }
        }
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, VectorMath.exp(-104f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
        assertTrue(VectorMath.exp(88.7228f) > 3.4e38f && VectorMath.exp(88.7228f) < Float.POSITIVE_INFINITY);
    }

    /**
     * The same bits in every lane as in the scalar form, after enough calls for the JIT to compile the vector
     * path: the Vector API's own EXP lane op differed from its interpreted self in the last bit, so a take's
     * softmax, and the token drawn from it, depended on how warm the JVM was.
     */
    @Test
    void expLanesAreTheScalarBitsWarmOrCold() {
        Random random = new Random(5);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 30 - 10);
        }
        x[0] = Float.NaN;
        x[1] = 95f;
        x[2] = -120f;
        float[] y = new float[x.length];
        for (int round = 0; round < 3000; round++) {
            VectorMath.expShifted(x, 0, 0f, y, 0, x.length);
            if (round == 0 || round == 2999) {
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Float.floatToRawIntBits(VectorMath.exp(x[i])), Float.floatToRawIntBits(y[i]),
                            "round " + round + ", exp(" + x[i] + ")");
                }
            }
        }
        float[] g = x.clone();
        VectorMath.quickGelu(g, 3, g.length);
        for (int i = 3; i < g.length; i++) {
            assertEquals(x[i] / (1f + VectorMath.exp(-1.702f * x[i])), g[i], "gelu of " + x[i]);
        }
    }
}
