package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.TensorEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: a probe for the engine README. Times prefill's two ways of widening one half-precision matrix
 * of the 1b_lyrics shape (2048 x 6144, an MLP matrix) for one product with a chunk of tokens: libtorch's
 * passes into the (out, in) layout ({@link HalfMatrix#widened}) against the one Java SIMD pass into (in, out)
 * ({@link HalfMatrix#widenedInByOut}), alternating the two in one process so both see the same machine, and
 * prints the medians of 7 rounds. Run: {@code java --add-modules jdk.incubator.vector -cp
 * engine-daemon/target/test-classes:engine-daemon/target/classes:$(cat engine-daemon/target/classpath.txt)
 * dev.segue.engine.nn.WideningProbe 448 BF16} (or F16).
 */
public final class WideningProbe {
    private WideningProbe() {}

    public static void main(String[] args) {
        int in = 2048;
        int out = 6144;
        int tokens = Integer.parseInt(args[0]);
        DType held = DType.valueOf(args[1]);
        ByteBuffer bytes = ByteBuffer.allocate(4 * in * out).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(1);
        for (int i = 0; i < in * out; i++) {
            bytes.putFloat((float) random.nextGaussian() * 0.02f);
        }
        TensorEntry entry = new TensorEntry("w", DType.F32, new long[] {in, out}, bytes.flip());
        try (NDManager root = NDManager.newBaseManager()) {
            HalfMatrix matrix = HalfMatrix.load(entry, false, held, null, null, in, out, root);
            NDArray x = root.randomNormal(new Shape(1, tokens, in));
            int rounds = 7;
            double[][] ms = new double[4][rounds];
            for (int k = 0; k < rounds; k++) {
                try (NDManager scope = root.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray w = matrix.widened(scope);
                    long t1 = System.nanoTime();
                    Linear.linear(x, w).singletonOrThrow().toFloatArray();
                    ms[0][k] = (t1 - t0) / 1e6;
                    ms[1][k] = (System.nanoTime() - t0) / 1e6;
                }
                try (NDManager scope = root.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray w = matrix.widenedInByOut(scope);
                    long t1 = System.nanoTime();
                    x.matMul(w).toFloatArray();
                    ms[2][k] = (t1 - t0) / 1e6;
                    ms[3][k] = (System.nanoTime() - t0) / 1e6;
                }
            }
            System.out.printf("%s, %d tokens x (%d x %d): libtorch widening %.1f ms (with the product %.1f ms); "
                    + "Java widening %.1f ms (with the product %.1f ms); medians of %d alternating rounds%n", held, tokens,
                    in, out, median(ms[0]), median(ms[1]), median(ms[2]), median(ms[3]), rounds);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
