package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.audio.WavWriter;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The engine path end to end at the top level ("sketch" tier), the same path the daemon serves: a
 * generated prime is encoded, continued into several takes from one shared prefill, decoded and written
 * as WAVs. Until the trained default prior lands, the model is the reference-fixture architecture, so the
 * takes are noise by design.
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
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        try (NDManager root = Djl.cpuManager(); ResidentModel model = ResidentModel.load(root, null)) {
            System.out.println("demo: model " + model.description()
                    + "; the trained default prior is not shipped yet, so takes are noise");
            ContinuationPipeline pipeline = new ContinuationPipeline(model.vqvae(), model.priors());
            int sr = pipeline.sampleRate();
            long frames = (long) sr * 4; // 4 s: two windows of the fixture's top prior
            float[] prime = primeAudio((int) frames, sr);
            WavWriter.writeMono24(out.resolve("prime.wav"), prime, sr);
            float[][] result = pipeline.continueAudio(root, prime, frames, new ContinuationPipeline.Request(takes,
                    Tier.SKETCH, java.util.List.of(new SamplingParams(0.95, 0, 0.0, seed)), true, true),
                    new ContinuationPipeline.Monitor() {
                        @Override
                        public void progress(int level, long done, long total) {
                            if (done == total) {
                                System.out.println("demo: level " + level + ": " + done + "/" + total + " tokens");
                            }
                        }
                    });
            for (int i = 0; i < takes; i++) {
                Path file = out.resolve(String.format("take-%02d.wav", i + 1));
                WavWriter.writeMono24(file, result[i], sr);
                System.out.println("demo: wrote " + file + " (" + result[i].length + " samples, starts where "
                        + "prime.wav ends)");
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
