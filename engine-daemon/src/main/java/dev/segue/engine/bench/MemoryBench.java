package dev.segue.engine.bench;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.resident.EngineBackedContinuation;
import dev.segue.engine.resident.ResidentModel;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.monitor.MemoryStats;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench memory --jobs N}: N short jobs of the default prior one after another, in this process, with the
 * resident set printed after the first job and every tenth, and the Java heap in use beside it: native memory that
 * grows with jobs is the gap between the two. Run it through {@code ./segue}, which sets the daemon's malloc
 * arena cap, or with {@code MALLOC_ARENA_MAX} unset to compare.
 */
public final class MemoryBench {
    private MemoryBench() {}

    public static int run(int jobs, double seconds) {
        try (NDManager root = Djl.cpuManager()) {
            ResidentModel model = ResidentModel.loadAll(root, ResidentModel.defaultDirs().get(0)).get(0);
            ContinuationEngine engine = new EngineBackedContinuation(model.name(), root,
                    new ContinuationPipeline(model.vqvae(), model.priors()), model.labelNames());
            int rate = engine.sampleRate();
            float[] prime = new float[2 * rate];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / rate));
            }
            System.out.printf(Locale.ROOT, "memory bench: MALLOC_ARENA_MAX=%s, %d jobs of %.1f s, 4 takes each%n",
                    System.getenv().getOrDefault("MALLOC_ARENA_MAX", "unset"), jobs, seconds);
            long first = 0;
            for (int j = 1; j <= jobs; j++) {
                GenerationRequest request = new GenerationRequest(model.name(), "sketch", new Length.Seconds(seconds), 4,
                        Quality.SKETCH, List.of(0.9), null, null, j, null, null, null);
                engine.continueTakes(prime, rate, (long) (seconds * rate), request, new Monitor() {
                    @Override
                    public void progress(int level, long done, long total) {}

                    @Override
                    public boolean cancelled() {
                        return false;
                    }
                });
                if (j == 1 || j % 10 == 0 || j == jobs) {
                    Runtime rt = Runtime.getRuntime();
                    long rss = MemoryStats.residentBytes();
                    first = first == 0 ? rss : first;
                    System.out.printf(Locale.ROOT, "after job %d: RSS %.0f MB (%.2fx after job 1), heap in use %.0f MB%n",
                            j, rss / 1e6, rss / (double) first, (rt.totalMemory() - rt.freeMemory()) / 1e6);
                }
            }
        }
        return 0;
    }
}
