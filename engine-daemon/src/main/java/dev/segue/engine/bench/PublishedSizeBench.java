package dev.segue.engine.bench;

import dev.segue.engine.resident.PresetFiles;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.bench.EngineBench;
import dev.segue.engine.monitor.MemoryStats;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.TorchCheckpointWriter;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.checkpoint.WritingWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.resident.ComputeDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench engine PRESET} for a preset of a published model (one that names its {@code files}): the top
 * prior at its exact shapes, with seeded random weights written once as {@code prior_level_N.pth.tar} in the
 * published layout under {@code <data>/bench/<preset>/}, then loaded from that file by the same code that loads
 * the published file ({@link Checkpoints#open} and the {@link Prior} constructor). Reports load time, weight
 * bytes, peak RSS of the load and the steps, and the cached step at each N against the read-bandwidth bound.
 */
public final class PublishedSizeBench {
    private PublishedSizeBench() {}

    /** Options of one run; {@code weights}: the precision the prior's large matrices are held in. */
    public record Options(ComputeDevice device, Path dataDir, int primeTokens, int steps, int[] candidates, WeightFormat weights,
                   boolean json) {
    }

    /** Whether a preset file describes a published model (its {@code files} key lists the published files). */
    public static boolean isPublished(Path presetFile) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(presetFile.toFile()).has("files");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    public static int run(Path presetFile, Options o) throws Exception {
        String preset = presetFile.getFileName().toString().replaceFirst("\\.json$", "");
        ModelConfig config = ModelConfig.load(presetFile);
        int topLevel = config.vqvae().levels() - 1;
        PriorConfig top = config.priors().get(topLevel);
        if (top == null) {
            throw new IllegalArgumentException(presetFile + " has no level-" + topLevel + " prior");
        }
        boolean fp16 = fp16Params(presetFile, topLevel);
        Path dir = o.dataDir().resolve("bench").resolve(preset);
        Path file = dir.resolve("prior_level_" + topLevel + ".pth.tar");
        String format = o.weights().toString();
        try (NDManager root = o.device().newManager()) {
            if (!Files.isRegularFile(file)) {
                write(root, config, top, file, fp16, o.json());
                Files.copy(presetFile, dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            warmUp(root, o);
            System.gc();
            boolean peakFromLoad = MemoryStats.resetPeak();
            long rssBefore = MemoryStats.residentBytes();
            long t0 = System.nanoTime();
            try (WeightStore store = Checkpoints.open(file); Prior prior = new Prior(top, config.vqvae(), store, root, o.weights())) {
                double loadSeconds = (System.nanoTime() - t0) / 1e9;
                long weightBytes = storedBytes(store);
                long loadedRss = MemoryStats.residentBytes();
                double readBandwidth = EngineBench.readBandwidth(root);
                double copyBandwidth = EngineBench.copyBandwidth(root);
                EngineBench bench = new EngineBench(prior, preset, weightBytes, o.primeTokens());
                List<EngineBench.Result> results = new ArrayList<>();
                for (int n : o.candidates()) {
                    results.add(bench.run(root, n, o.steps(), copyBandwidth, readBandwidth));
                }
                EngineBench.Result base = results.get(0);
                for (EngineBench.Result r : results) {
                    print(r, base, o, format, file, weightBytes, loadSeconds, rssBefore, loadedRss, readBandwidth,
                            peakFromLoad);
                }
            }
        }
        return 0;
    }

    /**
     * Runs the sampler's step and prefill paths on the small demo-sketch prior first, at every N, so the JIT has
     * compiled the step kernel before the full-size prior is timed: a full-size warm-up would cost minutes, and
     * the compiled code does not depend on the model's size. The small prior holds its matrices in the bench's
     * weight format, so the paths compiled are the ones timed (half-precision matrices and key/value cache
     * have their own loops).
     */
    private static void warmUp(NDManager root, Options o) {
        ModelConfig small = ModelConfig.load(PresetFiles.resolve("demo-sketch"));
        PriorConfig pc = small.priors().get(small.vqvae().levels() - 1);
        try (NDManager scope = root.newSubManager();
             Prior prior = new Prior(pc, small.vqvae(), new dev.segue.engine.checkpoint.RandomWeights(0), scope,
                     o.weights())) {
            EngineBench bench = new EngineBench(prior, "warm-up", 0, 32);
            for (int round = 0; round < 3; round++) {
                for (int n : o.candidates()) {
                    bench.run(scope, n, 48, 1e10, 1e10);
                }
            }
        }
    }

    /** Builds the prior once from seeded random weights that stream into the checkpoint, then drops it. */
    private static void write(NDManager root, ModelConfig config, PriorConfig top, Path file, boolean fp16,
                              boolean json) {
        long t0 = System.nanoTime();
        TorchCheckpointWriter writer = TorchCheckpointWriter.create(file);
        // The prior built to drive the writing holds what it is handed; in bf16 that is half the fp32 bytes (the
        // 5b top prior: 10 GB, not 20 GB, which with the file's pages in flight filled this 24 GB machine). The
        // file gets the values as generated, before any rounding.
        try (NDManager scope = root.newSubManager(); WritingWeights weights = new WritingWeights(2, writer, fp16);
             Prior prior = new Prior(top, config.vqvae(), weights, scope, WeightFormat.BF16)) {
            if (prior.config() == null) {
                throw new IllegalStateException("unreachable");
            }
        } catch (RuntimeException e) {
            writer.abandon();
            throw e;
        }
        writer.close();
        String line = String.format(Locale.ROOT, "wrote %s: %.2f GB of tensors in %.1f s (seeded random weights%s)",
                file, writer.tensorBytes() / 1e9, (System.nanoTime() - t0) / 1e9, fp16 ? ", Conv1D weights fp16" : "");
        (json ? System.err : System.out).println(line);
    }

    /** The reference stores a prior's Conv1D weights in fp16 when its hparams say {@code fp16_params}. */
    private static boolean fp16Params(Path presetFile, int level) throws java.io.IOException {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(presetFile.toFile())
                .path("priors").path(Integer.toString(level)).path("fp16_params");
        return node.asBoolean(false);
    }

    /** Bytes of the weights as the file stores them (fp16 tensors at two bytes per element). */
    static long storedBytes(WeightStore store) {
        long bytes = 0;
        for (String name : store.names()) {
            TensorEntry e = store.get(name);
            bytes += e.elementCount() * e.dtype().bytes();
        }
        return bytes;
    }

    private static void print(EngineBench.Result r, EngineBench.Result base, Options o, String format, Path file,
                              long weightBytes, double loadSeconds, long rssBefore, long loadedRss,
                              double readBandwidth, boolean peakFromLoad) {
        double share = r.stepTokensPerSecond() / r.readBoundTokensPerSecond();
        if (o.json()) {
            System.out.printf(Locale.ROOT, "{\"preset\":\"%s\",\"n\":%d,\"device\":\"%s\",\"weights\":\"%s\","
                            + "\"weight_bytes\":%d,\"peak_rss_bytes\":%d,\"rss_before_load_bytes\":%d,"
                            + "\"rss_after_load_bytes\":%d,\"load_s\":%.2f,\"prime_tokens\":%d,\"prefill_ms\":%.1f,"
                            + "\"step_ms\":%.2f,\"step_tokens_per_s\":%.3f,\"bound_tokens_per_s\":%.3f,"
                            + "\"bound_share\":%.3f,\"step_bytes\":%d,\"read_bandwidth_bytes_per_s\":%.0f,"
                            + "\"step_throughput_vs_first\":%.3f,\"checkpoint\":\"%s\"}%n",
                    r.preset(), r.candidates(), o.device().describe(), format, weightBytes, r.peakRssBytes(),
                    rssBefore, loadedRss, loadSeconds, r.primeTokens(), r.prefillMillis(), r.stepMillisMedian(),
                    r.stepTokensPerSecond(), r.readBoundTokensPerSecond(), share, r.stepBytes(), readBandwidth,
                    r.stepTokensPerSecond() / base.stepTokensPerSecond(), file);
            return;
        }
        System.out.printf(Locale.ROOT, "%s N=%d on %s (weights %s): load %.1f s from %s, weights %.2f GB, RSS %.2f GB "
                        + "after load, peak RSS %.2f GB%s; prefill %d tokens %.0f ms; cached step median %.1f ms = %.2f "
                        + "tok/s (%.2fx N=1); step reads %.2f GB, read bandwidth %.1f GB/s, bound %.2f tok/s (%.0f%%)%n",
                r.preset(), r.candidates(), o.device().describe(), format, loadSeconds, file, weightBytes / 1e9,
                loadedRss / 1e9, r.peakRssBytes() / 1e9, peakFromLoad ? " (load and steps)" : " (whole process)",
                r.primeTokens(), r.prefillMillis(), r.stepMillisMedian(), r.stepTokensPerSecond(),
                r.stepTokensPerSecond() / base.stepTokensPerSecond(), r.stepBytes() / 1e9, readBandwidth / 1e9,
                r.readBoundTokensPerSecond(), 100 * share);
    }
}
