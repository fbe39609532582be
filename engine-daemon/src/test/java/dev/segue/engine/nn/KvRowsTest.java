package dev.segue.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cached key/value rows in fp32, bf16 and fp16: a row written and read back is the input rounded to the
 * format (to nearest even), and the SIMD dot product and weighted sum over the stored rows equal plain loops
 * over those rounded values, at row lengths around the vector width (whole groups, tails, both).
 */
class KvRowsTest {
    @ParameterizedTest(name = "{0}, rows of {1}, {2} rows")
    @CsvSource({"F32,1,3", "F32,37,5", "F32,1024,9", "BF16,1,2", "BF16,5,3", "BF16,64,4", "BF16,1024,7",
            "BF16,77,6", "F16,3,1", "F16,32,5", "F16,100,8", "F16,1024,3"})
    void rowsRoundTripAndFeedAttention(DType format, int len, int count) {
        Random random = new Random(len * 131L + count);
        int rowBytes = len * KvRows.bytes(format);
        int stride = rowBytes + 3 * KvRows.bytes(format) * 2; // rows apart, with a gap, as a layout may leave
        int base = 6;
        ByteBuffer buf = ByteBuffer.allocateDirect(base + count * stride + 64).order(ByteOrder.LITTLE_ENDIAN);
        float[][] rounded = new float[count][len];
        for (int r = 0; r < count; r++) {
            float[] row = new float[len + 2];
            for (int e = 0; e < row.length; e++) {
                row[e] = (float) random.nextGaussian() * 3f;
            }
            KvRows.put(format, buf, base + r * stride, row, 2, len);
            for (int e = 0; e < len; e++) {
                float v = row[2 + e];
                rounded[r][e] = switch (format) {
                    case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v));
                    case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(v));
                    default -> v;
                };
                assertEquals(rounded[r][e], KvRows.get(format, buf, base + r * stride, e, len), 0f,
                        "row " + r + " value " + e);
            }
        }
        float[] q = new float[len + 4];
        for (int e = 0; e < q.length; e++) {
            q[e] = random.nextFloat() - 0.5f;
        }
        float[] w = new float[count + 1];
        for (int r = 0; r < count; r++) {
            double expected = 0;
            double size = 0;
            for (int e = 0; e < len; e++) {
                expected += (double) q[4 + e] * rounded[r][e];
                size += Math.abs((double) q[4 + e] * rounded[r][e]);
            }
            float got = KvRows.dot(format, q, 4, buf, base + r * stride, len);
            assertEquals(expected, got, 1e-6 * size + 1e-7, "dot with row " + r);
            w[1 + r] = random.nextFloat();
        }
        float[] out = new float[len + 2];
        out[0] = 99f;
        out[len + 1] = 99f;
        KvRows.weightedRows(format, w, 1, 0.25f, count, buf, base, stride, out, 1, len);
        for (int e = 0; e < len; e++) {
            double expected = 0;
            double size = 0;
            for (int r = 0; r < count; r++) {
                expected += (double) w[1 + r] * rounded[r][e];
                size += Math.abs((double) w[1 + r] * rounded[r][e]);
            }
            assertEquals(0.25 * expected, out[1 + e], 1e-6 * size + 1e-7, "weighted sum, value " + e);
        }
        assertEquals(99f, out[0]);
        assertEquals(99f, out[len + 1]);
    }
}
