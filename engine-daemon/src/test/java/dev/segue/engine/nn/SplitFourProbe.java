package dev.segue.engine.nn;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.TensorEntry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: a probe for the engine README. Four candidates through one bf16 matrix (default the 1b_lyrics
 * MLP's 2048 x 6144; or IN OUT as arguments, such as bench-13m's 512 x 2048), every block once per pass, on one thread: the whole-block loop against the half-block loop
 * ({@link VectorMath#splitFour}), alternating in one process, timed in the thread's own CPU time (the
 * machine is shared, so wall time would count other processes' work). Prints the medians of 15 passes of
 * each and the vector width. Run: {@code java --add-modules jdk.incubator.vector -cp
 * engine-daemon/target/test-classes:engine-daemon/target/classes:$(cat engine-daemon/target/classpath.txt)
 * dev.segue.engine.nn.SplitFourProbe [IN OUT]}.
 */
public final class SplitFourProbe {
    private SplitFourProbe() {}

    public static void main(String[] args) {
        int in = args.length > 1 ? Integer.parseInt(args[0]) : 2048;
        int out = args.length > 1 ? Integer.parseInt(args[1]) : 6144;
        ByteBuffer bytes = ByteBuffer.allocate(4 * in * out).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(3);
        for (int i = 0; i < in * out; i++) {
            bytes.putFloat((float) random.nextGaussian() * 0.02f);
        }
        TensorEntry entry = new TensorEntry("w", DType.F32, new long[] {in, out}, bytes.flip());
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (NDManager root = NDManager.newBaseManager()) {
            HalfMatrix m = HalfMatrix.load(entry, false, DType.BF16, null, null, in, out, root);
            float[] x = new float[4 * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat() - 0.5f;
            }
            float[] whole = new float[4 * out];

            float[] split = new float[4 * out];
            float[] xp = VectorMath.packFour(x, in, 1);
            int passes = 15;
            int repeats = Math.max(1, (1 << 25) / (in * out)); // a pass of at least about 32 M weights
            double[] wholeMs = new double[passes];
            double[] splitMs = new double[passes];
            for (int round = -5; round < passes; round++) { // five rounds of warm-up
                long t0 = cpu.getCurrentThreadCpuTime();
                for (int r = 0; r < repeats; r++) {
                    for (int unit = 0; unit < m.fullBlocks; unit++) {
                        VectorMath.half4Bf16(m, unit, x, whole, 0);
                    }
                }
                long t1 = cpu.getCurrentThreadCpuTime();
                for (int r = 0; r < repeats; r++) {
                    for (int unit = 0; unit < m.fullBlocks; unit++) {
                        VectorMath.half4Bf16Group(m, unit, xp, 0, split, 0, 0);
                        VectorMath.half4Bf16Group(m, unit, xp, 0, split, 0, 1);
                    }
                }
                long t2 = cpu.getCurrentThreadCpuTime();
                if (round >= 0) {
                    wholeMs[round] = (t1 - t0) / 1e6;
                    splitMs[round] = (t2 - t1) / 1e6;
                }
            }
            double worst = 0;
            for (int i = 0; i < whole.length; i++) {
                worst = Math.max(worst, Math.abs(whole[i] - split[i]));
            }
            System.out.printf("%d-bit vectors; four candidates x (%d x %d) bf16, one thread, CPU time: whole block "
                    + "%.1f ms, half blocks %.1f ms per pass of %d products (%.2fx); outputs differ by at most %.1e; medians of "
                    + "%d%n", FloatVectorBits.BITS, in, out, median(wholeMs), median(splitMs), repeats,
                    median(wholeMs) / median(splitMs), worst, passes);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static final class FloatVectorBits {
        static final int BITS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
