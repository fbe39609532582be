package dev.segue.engine.bench;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.resident.PresetFiles;
import dev.segue.engine.resident.ResidentModel;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.audio.Resampler;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.vqvae.VqVae;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code bench sketch}: the demo's job timed end to end in one process: a 4-bar prime at 120 BPM (8 s of
 * presets/demo-prime.wav) continued into takes of 8 bars (16 s) at the sketch tier, or with {@code --tier}
 * at a deeper one. The model loads once and the job runs {@code --repeats} times (at most 3): the first run
 * alone, then the median of the warm ones. Wall and process CPU
 * seconds are both reported: on this shared machine the wall time depends on the other jobs running, the
 * CPU time much less. The model is a model folder, or a config with seeded random weights (a trained
 * model costs the same per token as random weights of its size).
 */
public final class SketchTiming {
    private SketchTiming() {}

    public static int run(String target, int takes, double primeSeconds, double takeSeconds, Tier tier, Path out)
            throws IOException {
        return run(target, takes, primeSeconds, takeSeconds, tier, out, dev.segue.engine.resident.ComputeDevice.choose("cpu"), 1);
    }

    /** Loads the model once and runs the job {@code repeats} times; prints each run and the median. */
    public static int run(String target, int takes, double primeSeconds, double takeSeconds, Tier tier, Path out,
                   dev.segue.engine.resident.ComputeDevice device, int repeats) throws IOException {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        long t0 = System.nanoTime();
        double cpu0 = cpuSeconds();
        Path dir = Path.of(target);
        try (NDManager root = device.newManager()) {
            VqVae vqvae;
            Map<Integer, Prior> priors = new TreeMap<>();
            String name;
            if (Files.isDirectory(dir)) {
                ResidentModel model = ResidentModel.load(root, dir);
                vqvae = model.vqvae();
                priors.putAll(model.priors());
                name = dir.toString();
            } else {
                // A preset with seeded random weights: a trained model costs the same per token, so this times
                // a tier whose weights are not trained yet (the default model's upsamplers).
                Path file = PresetFiles.resolve(target);
                ModelConfig config = ModelConfig.load(file);
                int topLevel = config.vqvae().levels() - 1;
                vqvae = new VqVae(config.vqvae(), new RandomWeights(1), root);
                for (int level = topLevel; level >= tier.lowestLevel(topLevel); level--) {
                    PriorConfig pc = config.priors().get(level);
                    if (pc == null) {
                        throw new IllegalArgumentException(file + " has no prior for level " + level + ", which the "
                                + tier.name().toLowerCase(Locale.ROOT) + " tier needs");
                    }
                    priors.put(level, new Prior(pc, config.vqvae(), new RandomWeights(2 + topLevel - level), root));
                }
                name = file + " (random weights)";
            }
            int topLevel = Collections.max(priors.keySet());
            int lowest = tier.lowestLevel(topLevel);
            if (!priors.containsKey(lowest)) {
                throw new IllegalArgumentException(name + " has no upsampler for the "
                        + tier.name().toLowerCase(Locale.ROOT) + " tier");
            }
            int sr = vqvae.config().sampleRate();
            PcmAudio wav = WavReader.read(PresetFiles.home().resolve("presets/demo-prime.wav"), Bounds.MAX_AUDIO_SECONDS);
            float[] full = Resampler.resample(wav.mono(), wav.sampleRate(), sr,
                    Resampler.convertedLength(wav.frames(), wav.sampleRate(), sr));
            float[] prime = Arrays.copyOf(full, (int) Math.round(primeSeconds * sr));
            long frames = Math.round(takeSeconds * sr);
            double loaded = (System.nanoTime() - t0) / 1e9;
            double cpuLoaded = cpuSeconds() - cpu0;
            ContinuationPipeline pipeline = new ContinuationPipeline(vqvae, priors);
            int hop = vqvae.config().hopLength(topLevel);
            List<SamplingParams> perLevel = new ArrayList<>();
            for (int level = topLevel; level >= lowest; level--) {
                perLevel.add(new SamplingParams(1.0, 0, 0.0, 1));
            }
            float[][] result = null;
            double[] jobWall = new double[repeats];
            double[] jobCpu = new double[repeats];
            for (int run = 0; run < repeats; run++) {
                long[] sampledAt = new long[1];
                double[] sampledCpu = new double[1];
                double cpuStart = cpuSeconds() - cpu0;
                long t1 = System.nanoTime();
                result = pipeline.continueAudio(root, prime, frames, new ContinuationPipeline.Request(takes,
                        tier, perLevel, true, true),
                        new Monitor() {
                            @Override
                            public void progress(int level, long done, long total) {
                                if (level == lowest && done == total) {
                                    sampledAt[0] = System.nanoTime();
                                    sampledCpu[0] = cpuSeconds() - cpu0;
                                }
                            }
                        });
                long t2 = System.nanoTime();
                double cpu = cpuSeconds() - cpu0;
                jobWall[run] = (t2 - t1) / 1e9;
                jobCpu[run] = cpu - cpuStart;
                System.out.printf(Locale.ROOT, "run %d of %d, %s %s: %d takes x %.1f s from a %.1f s prime at %d Hz "
                                + "(%d new top-level tokens each): wall/CPU seconds: load %.1f/%.1f, encode+sampling %.1f/%.1f, "
                                + "decode %.1f/%.1f, job %.1f/%.1f; load average %.1f%n",
                        run + 1, repeats, tier.name().toLowerCase(Locale.ROOT), name, takes, takeSeconds, primeSeconds, sr,
                        (frames + hop - 1) / hop, loaded, cpuLoaded,
                        (sampledAt[0] - t1) / 1e9, sampledCpu[0] - cpuStart, (t2 - sampledAt[0]) / 1e9,
                        cpu - sampledCpu[0], jobWall[run], jobCpu[run],
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
            // The first run also pays the JIT's compilations and libtorch's first calls (a daemon pays them in its
            // warm-up job, before it listens); the runs after it are what a warm daemon's job costs.
            System.out.printf(Locale.ROOT, "%s: first run %.1f s wall, %.1f s CPU; load %.1f s once%n",
                    tier.name().toLowerCase(Locale.ROOT), jobWall[0], jobCpu[0], loaded);
            if (repeats > 1) {
                double[] warmWall = Arrays.copyOfRange(jobWall, 1, repeats);
                double[] warmCpu = Arrays.copyOfRange(jobCpu, 1, repeats);
                System.out.printf(Locale.ROOT, "%s: warm job, median of %d runs: %.1f s wall, %.1f s CPU%n",
                        tier.name().toLowerCase(Locale.ROOT), repeats - 1, median(warmWall), median(warmCpu));
            }
            if (out != null) {
                Files.createDirectories(out);
                WavWriter.write24(out.resolve("prime.wav"), new PcmAudio(sr, 1, prime));
                for (int i = 0; i < takes; i++) {
                    WavWriter.write24(out.resolve(String.format("take-%02d.wav", i + 1)), new PcmAudio(sr, 1, result[i]));
                }
            }
            for (Prior p : priors.values()) {
                p.close();
            }
            vqvae.close();
        }
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
