package dev.segue.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
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
}
