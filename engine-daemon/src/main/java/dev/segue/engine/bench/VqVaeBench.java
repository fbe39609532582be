package dev.segue.engine.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.VqVaeConfig;
import dev.segue.engine.resident.ComputeDevice;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.vqvae.VqVae;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * {@code bench vqvae [PRESET]}: the preset's VQ-VAE (the published 5b one by default) with seeded random weights,
 * on 10 s of audio at its rate: encoding at every level (the reference's encoder runs all three), and decoding
 * from each level's codes, each in one piece as the reference runs it; then the top level as the pipeline runs it for
 * the sketch tier, in pieces with cancel checks ({@link VqVae#chunkSamples}). Median of a few runs after one warm-up;
 * weights do not change the work, so random ones time the published model exactly.
 */
public final class VqVaeBench {
    private static final double SECONDS = 10.0;

    private VqVaeBench() {}

    public static int run(Path presetFile, ComputeDevice device, int repeats, boolean json) {
        VqVaeConfig c = ModelConfig.load(presetFile).vqvae();
        String preset = presetFile.getFileName().toString().replaceFirst("\\.json$", "");
        int topHop = c.hopLength(c.levels() - 1);
        int frames = (int) (SECONDS * c.sampleRate()) / topHop * topHop; // every level's hop divides it
        float[] audio = new float[frames];
        Random random = new Random(3);
        for (int i = 0; i < frames; i++) { // a little noise over a tone: any signal costs the same
            audio[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / c.sampleRate()) + 0.05 * random.nextGaussian());
        }
        int runs = Math.max(1, repeats);
        double[] encode = new double[runs];
        double[][] decode = new double[c.levels()][runs];
        // Process CPU seconds beside wall seconds: on a shared machine wall time also counts other people's work.
        double[] encodeCpu = new double[runs];
        double[][] decodeCpu = new double[c.levels()][runs];
        double[] pipelineEncode = new double[runs];
        double[] pipelineDecode = new double[runs];
        int top = c.levels() - 1;
        int piece;
        try (NDManager root = device.newManager(); VqVae vqvae = new VqVae(c, new RandomWeights(1), root)) {
            long[][] codes = new long[c.levels()][];
            piece = vqvae.chunkSamples(top, ContinuationPipeline.CODEC_CHUNK_SAMPLES);
            for (int r = -1; r < runs; r++) { // run -1 warms up
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                try (NDManager scope = root.newSubManager()) {
                    var x = scope.create(audio, new Shape(1, frames));
                    for (int level = 0; level < c.levels(); level++) {
                        codes[level] = vqvae.encode(x, level).toLongArray();
                    }
                }
                if (r >= 0) {
                    encode[r] = (System.nanoTime() - t0) / 1e9;
                    encodeCpu[r] = (cpuNanos() - c0) / 1e9;
                }
                for (int level = 0; level < c.levels(); level++) {
                    long t1 = System.nanoTime();
                    long c1 = cpuNanos();
                    try (NDManager scope = root.newSubManager()) {
                        float[] out = vqvae.decode(scope.create(codes[level], new Shape(1, codes[level].length)), level)
                                .toFloatArray();
                        if (out.length != frames) {
                            throw new IllegalStateException("decoded " + out.length + " samples from level " + level
                                    + ", expected " + frames);
                        }
                    }
                    if (r >= 0) {
                        decode[level][r] = (System.nanoTime() - t1) / 1e9;
                        decodeCpu[level][r] = (cpuNanos() - c1) / 1e9;
                    }
                }
                long t2 = System.nanoTime();
                long[] topCodes = vqvae.encodeChunked(root, audio, top, piece, () -> { });
                long t3 = System.nanoTime();
                vqvae.decodeChunked(root, topCodes, top, piece, () -> { });
                if (r >= 0) {
                    pipelineEncode[r] = (t3 - t2) / 1e9;
                    pipelineDecode[r] = (System.nanoTime() - t3) / 1e9;
                }
            }
        }
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        if (json) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "{\"bench\":\"vqvae\",\"preset\":\"%s\",\"device\":\"%s\",\"threads\":\"%s\","
                    + "\"audio_s\":%.3f,\"sample_rate\":%d,\"runs\":%d,\"encode_all_levels_s\":%.3f,"
                    + "\"encode_all_levels_cpu_s\":%.3f", preset, device.describe(), threads, frames / (double) c.sampleRate(),
                    c.sampleRate(), runs, median(encode), median(encodeCpu)));
            for (int level = 0; level < c.levels(); level++) {
                sb.append(String.format(Locale.ROOT, ",\"decode_level_%d_s\":%.3f,\"decode_level_%d_cpu_s\":%.3f", level,
                        median(decode[level]), level, median(decodeCpu[level])));
            }
            sb.append(String.format(Locale.ROOT, ",\"pipeline_encode_top_s\":%.3f,\"pipeline_decode_top_s\":%.3f",
                    median(pipelineEncode), median(pipelineDecode)));
            System.out.println(sb.append('}'));
        } else {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s VQ-VAE on %s (torch threads %s), %.2f s "
                    + "of %d Hz audio, median of %d (wall / process CPU): encode all %d levels %.2f / %.2f s", preset,
                    device.describe(), threads, frames / (double) c.sampleRate(), c.sampleRate(), runs, c.levels(),
                    median(encode), median(encodeCpu)));
            for (int level = c.levels() - 1; level >= 0; level--) {
                sb.append(String.format(Locale.ROOT, "; decode from level %d (hop %d) %.2f / %.2f s", level,
                        c.hopLength(level), median(decode[level]), median(decodeCpu[level])));
            }
            sb.append(String.format(Locale.ROOT, "; as the pipeline runs the top level (pieces of %d samples): encode %.2f s, "
                    + "decode %.2f s", piece, median(pipelineEncode), median(pipelineDecode)));
            System.out.println(sb);
        }
        return 0;
    }

    /** CPU time of the whole process, native (libtorch) threads included. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
