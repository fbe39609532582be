package dev.segue.engine.prior;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.monitor.MemoryStats;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in its own JVM by {@link HalfWeightMemoryTest}: loads a top prior (args: config.json, weights,
 * --weights word), prefills 16 tokens and takes 4 cached steps, and prints the resident set before the load
 * ({@code before=}) and its peak afterwards ({@code peak=}), in bytes. The peak is reset just before the
 * load (/proc/self/clear_refs) so JVM start-up does not count.
 */
public final class LoadRssProbe {
    private LoadRssProbe() {}

    public static void main(String[] args) throws Exception {
        ModelConfig config = ModelConfig.load(Path.of(args[0]));
        PriorConfig top = config.priors().get(config.vqvae().levels() - 1);
        try (NDManager root = Djl.cpuManager()) {
            root.ones(new Shape(4)).sum().getFloat(); // libtorch loaded and initialised before the baseline
            System.gc();
            long before = MemoryStats.residentBytes();
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            try (SafetensorsFile weights = SafetensorsFile.open(Path.of(args[1]));
                 Prior prior = new Prior(top, config.vqvae(), weights, root, WeightFormat.parse(args[2]));
                 NDManager m = root.newSubManager()) {
                System.out.println("loaded=" + MemoryStats.residentBytes());
                Conditioning cond = prior.condition(m, 1, LabelRow.neutral(top), null);
                KvCache cache = prior.newCache(m, 1);
                long[] prime = new long[16];
                for (int i = 0; i < prime.length; i++) {
                    prime[i] = (i * 37) % prior.bins();
                }
                prior.forward(cache, cond, m.create(prime, new Shape(1, prime.length)), 0);
                System.out.println("prefilled=" + MemoryStats.residentBytes() + " peak so far " + MemoryStats.peakResidentBytes());
                StepSession steps = prior.openSteps(m, cache, cond);
                for (int t = prime.length; t < prime.length + 4; t++) {
                    steps.step(new long[] {t}, t);
                }
                cache.close();
            }
            System.out.println("before=" + before);
            System.out.println("peak=" + MemoryStats.peakResidentBytes());
        }
    }
}
