package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.audio.Resampler;
import dev.segue.engine.audio.WavReader;
import dev.segue.engine.audio.WavWriter;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.vqvae.VqVae;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code bench sketch}: the demo's job timed end to end in one process: a 4-bar prime at 120 BPM (8 s of
 * presets/demo-prime.wav) continued into takes of 8 bars (16 s) at the sketch tier. Wall and process CPU
 * seconds are both reported: on this shared machine the wall time depends on the other jobs running, the
 * CPU time much less. The model is a model folder, or a config with seeded random weights (a trained
 * model costs the same per token as random weights of its size).
 */
final class SketchTiming {
    private SketchTiming() {}

    static int run(String target, int takes, double primeSeconds, double takeSeconds, Path out) throws IOException {
        long t0 = System.nanoTime();
        double cpu0 = cpuSeconds();
        Path dir = Path.of(target);
        try (NDManager root = Djl.cpuManager()) {
            VqVae vqvae;
            Prior top;
            String name;
            if (Files.isDirectory(dir)) {
                ResidentModel model = ResidentModel.load(root, dir);
                vqvae = model.vqvae();
                top = model.top();
                name = dir.toString();
            } else {
                Path file = Presets.resolve(target);
                ModelConfig config = ModelConfig.load(file);
                PriorConfig topConfig = config.priors().get(config.vqvae().levels() - 1);
                vqvae = new VqVae(config.vqvae(), new RandomWeights(1), root);
                top = new Prior(topConfig, config.vqvae(), new RandomWeights(2), root);
                name = file + " (random weights)";
            }
            int sr = vqvae.config().sampleRate();
            WavReader.Audio wav = WavReader.readMono(Presets.home().resolve("presets/demo-prime.wav"));
            float[] full = Resampler.resample(wav.samples(), wav.sampleRate(), sr,
                    Resampler.convertedLength(wav.samples().length, wav.sampleRate(), sr));
            float[] prime = Arrays.copyOf(full, (int) Math.round(primeSeconds * sr));
            long frames = Math.round(takeSeconds * sr);
            double loaded = (System.nanoTime() - t0) / 1e9;
            ContinuationPipeline sketch = new ContinuationPipeline(vqvae, java.util.Map.of(top.config().level(), top));
            int hop = vqvae.config().hopLength(top.config().level());
            long[] sampledAt = new long[1];
            double[] sampledCpu = new double[1];
            double cpuLoaded = cpuSeconds() - cpu0;
            long t1 = System.nanoTime();
            float[][] result = sketch.continueAudio(root, prime, frames, new ContinuationPipeline.Request(takes,
                    Tier.SKETCH, java.util.List.of(new SamplingParams(1.0, 0, 0.0, 1)), true, true),
                    new ContinuationPipeline.Monitor() {
                        @Override
                        public void progress(int level, long done, long total) {
                            if (done == total) {
                                sampledAt[0] = System.nanoTime();
                                sampledCpu[0] = cpuSeconds() - cpu0;
                            }
                        }
                    });
            long t2 = System.nanoTime();
            double cpu = cpuSeconds() - cpu0;
            System.out.printf(Locale.ROOT, "sketch %s: %d takes x %.1f s from a %.1f s prime at %d Hz "
                            + "(%d new tokens each): wall/CPU seconds: load %.1f/%.1f, encode+sampling %.1f/%.1f, "
                            + "decode %.1f/%.1f, total in-process %.1f/%.1f; load average %.1f%n",
                    name, takes, takeSeconds, primeSeconds, sr, (frames + hop - 1) / hop, loaded, cpuLoaded,
                    (sampledAt[0] - t1) / 1e9, sampledCpu[0] - cpuLoaded, (t2 - sampledAt[0]) / 1e9,
                    cpu - sampledCpu[0], (t2 - t0) / 1e9, cpu,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            if (out != null) {
                Files.createDirectories(out);
                WavWriter.writeMono24(out.resolve("prime.wav"), prime, sr);
                for (int i = 0; i < takes; i++) {
                    WavWriter.writeMono24(out.resolve(String.format("take-%02d.wav", i + 1)), result[i], sr);
                }
            }
            top.close();
            vqvae.close();
        }
        return 0;
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
