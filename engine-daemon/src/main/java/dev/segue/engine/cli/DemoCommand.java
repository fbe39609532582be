package dev.segue.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.audio.WavWriter;
import dev.segue.engine.bench.EngineBench;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.PrimedSampler;
import dev.segue.engine.sampling.SamplingMonitor;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.vqvae.VqVae;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The engine path end to end at the top level ("sketch" tier): a generated prime is encoded, continued
 * into several takes by the top prior from one shared prefill, decoded and written as WAVs. Until the
 * trained default prior lands, the model is the reference-fixture architecture (its published-layout
 * weights when ../shared is present, else seeded random weights), so the takes are noise by design.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Continue a generated prime into several takes and write them as WAV files.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--takes", defaultValue = "4", description = "Number of takes (1..16).")
    int takes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed; the same seed gives the same takes.")
    long seed;

    @Option(names = "--out", defaultValue = "out/demo", description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (takes < 1 || takes > 16) {
            System.err.println("demo: --takes must be 1..16");
            return 2;
        }
        Path fixture = Path.of(System.getProperty("segue.shared", "../shared")).resolve("conformance/jukebox-ref");
        boolean haveFixture = Files.isRegularFile(fixture.resolve("prior_level_2.safetensors"));
        ModelConfig config = haveFixture ? ModelConfig.load(fixture.resolve("config.json"))
                : ModelConfig.load(Presets.resolve("demo-sketch"));
        PriorConfig topConfig = config.priors().get(config.vqvae().levels() - 1);
        int level = topConfig.level();
        int hop = config.vqvae().hopLength(level);
        int sr = config.vqvae().sampleRate();
        System.out.println("demo: model " + (haveFixture ? fixture + " (reference-fixture weights)"
                : "presets/demo-sketch.json (seeded random weights)")
                + "; the trained default prior is not shipped yet, so takes are noise");
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        try (NDManager root = Djl.cpuManager();
             WeightStore vqStore = haveFixture ? SafetensorsFile.open(fixture.resolve("vqvae.safetensors")) : new RandomWeights(1);
             WeightStore priorStore = haveFixture ? SafetensorsFile.open(fixture.resolve("prior_level_" + level + ".safetensors")) : new RandomWeights(2);
             VqVae vqvae = new VqVae(config.vqvae(), vqStore, root);
             Prior prior = new Prior(topConfig, config.vqvae(), priorStore, root);
             NDManager m = root.newSubManager()) {
            int primeTokens = topConfig.nCtx() / 2;
            float[] prime = primeAudio(primeTokens * hop, sr);
            WavWriter.writeMono24(out.resolve("prime.wav"), prime, sr);
            long[] primeCodes = vqvae.encode(m.create(prime, new Shape(1, prime.length)), level).toLongArray();
            PrimedSampler.Request request = new PrimedSampler.Request(new long[][] {primeCodes}, takes,
                    topConfig.nCtx(), EngineBench.benchLabels(topConfig), null, new SamplingParams(0.95, 0, 0.0, seed),
                    Math.max(1, topConfig.nCtx() / 8));
            long[][] tokens = new PrimedSampler(prior).sample(m, request, new SamplingMonitor() {
                @Override
                public void progress(int done, int total) {
                    if (done == total || done % 32 == 0) {
                        System.out.printf("\rdemo: top level %d/%d tokens", done, total);
                    }
                }
            });
            System.out.println();
            for (int i = 0; i < takes; i++) {
                long[] continuation = java.util.Arrays.copyOfRange(tokens[i], primeTokens, tokens[i].length);
                NDArray codes = m.create(continuation, new Shape(1, continuation.length));
                Path file = out.resolve(String.format("take-%02d.wav", i + 1));
                WavWriter.writeMono24(file, vqvae.decode(codes, level).toFloatArray(), sr);
                System.out.println("demo: wrote " + file);
            }
        }
        System.out.printf("demo: %d takes in %.1f s, prime in %s%n", takes, (System.nanoTime() - t0) / 1e9,
                out.resolve("prime.wav"));
        return 0;
    }

    /** A plucked A-minor arpeggio: enough structure to hear the seam once a trained prior is in place. */
    private static float[] primeAudio(int length, int sr) {
        double[] notes = {220.0, 261.63, 329.63, 440.0};
        float[] x = new float[length];
        int noteLen = Math.max(1, length / 8);
        for (int i = 0; i < length; i++) {
            int n = i / noteLen;
            double t = (i - n * noteLen) / (double) sr;
            double f = notes[n % notes.length];
            x[i] = (float) (0.4 * Math.exp(-6 * t) * (Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t)));
        }
        return x;
    }
}
