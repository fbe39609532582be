package dev.segue.engine.bench;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.resident.ResidentModel;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.bench.Stats;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench continuation}: the real-time factor of each tier the resident model can do (seconds of audio
 * per second of compute, per take and for all takes together), and how much of the top level's time goes
 * to re-prefilling each window's context: the most that keeping the key/value cache across windows could
 * save.
 */
public final class ContinuationBench {
    private ContinuationBench() {}

    public static int run(Path modelDir, double primeSeconds, double seconds, int[] candidates, int repeats, boolean json) {
        return run(modelDir, primeSeconds, seconds, candidates, repeats, json,
                dev.segue.engine.resident.ComputeDevice.choose("cpu"));
    }

    public static int run(Path modelDir, double primeSeconds, double seconds, int[] candidates, int repeats, boolean json,
                   dev.segue.engine.resident.ComputeDevice device) {
        try (NDManager root = device.newManager(); ResidentModel model = ResidentModel.load(root, modelDir)) {
            ContinuationPipeline pipeline = new ContinuationPipeline(model.vqvae(), model.priors());
            int sr = pipeline.sampleRate();
            float[] prime = new float[(int) (primeSeconds * sr)];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / sr) * Math.exp(-3.0 * (i % (sr / 2)) / sr));
            }
            long frames = Math.round(seconds * sr);
            if (!json) {
                System.out.printf(Locale.ROOT, "model %s at %d Hz; prime %.1f s, continuation %.1f s, median of %d%n",
                        model.description(), sr, primeSeconds, seconds, repeats);
            }
            for (Tier tier : Tier.values()) {
                if (!pipeline.supports(tier)) {
                    continue;
                }
                for (int n : candidates) {
                    measure(root, pipeline, model.name(), tier, prime, frames, n, Math.max(1, repeats), json, seconds);
                }
            }
            extension(root, pipeline, model.name(), prime, frames, Math.max(1, repeats), json, seconds);
            WindowCacheBench.run(root, model, primeSeconds, candidates, Math.max(1, repeats), json);
        }
        return 0;
    }

    private static void measure(NDManager root, ContinuationPipeline pipeline, String name, Tier tier, float[] prime,
                                long frames, int n, int repeats, boolean json, double seconds) {
        List<SamplingParams> params = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            params.add(new SamplingParams(0.98, 0, 0.0, 1 + i));
        }
        ContinuationPipeline.Request request = new ContinuationPipeline.Request(n, tier, params, true, true);
        double[] wall = new double[repeats];
        double[] prefillShare = new double[repeats];
        int[] topWindows = new int[1];
        pipeline.continueAudio(root, prime, frames, request, new Monitor() {}); // warm-up
        for (int r = 0; r < repeats; r++) {
            long[] top = new long[2]; // prefill, sampling nanos of the top level's windows after the first
            int[] windows = {0};
            long t0 = System.nanoTime();
            pipeline.continueAudio(root, prime, frames, request, new Monitor() {
                @Override
                public void window(int level, int context, int fresh, long prefillNanos, long sampleNanos) {
                    if (level == pipeline.topLevel() && windows[0]++ > 0) {
                        top[0] += prefillNanos;
                        top[1] += sampleNanos;
                    }
                }
            });
            wall[r] = (System.nanoTime() - t0) / 1e9;
            prefillShare[r] = top[0] + top[1] == 0 ? 0 : top[0] / (double) (top[0] + top[1]);
            topWindows[0] = windows[0];
        }
        double median = Stats.median(wall);
        double share = Stats.median(prefillShare);
        double rtf = seconds / median;
        if (json) {
            System.out.printf(Locale.ROOT, "{\"bench\":\"continuation\",\"model\":\"%s\",\"tier\":\"%s\",\"n\":%d,"
                            + "\"seconds\":%.2f,\"wall_s_median\":%.3f,\"rtf_per_take\":%.3f,\"rtf_all_takes\":%.3f,"
                            + "\"top_windows\":%d,\"later_window_prefill_share\":%.3f}%n", name,
                    tier.name().toLowerCase(Locale.ROOT), n, seconds, median, rtf, rtf * n, topWindows[0], share);
        } else {
            System.out.printf(Locale.ROOT, "%-6s N=%-2d %.2f s wall (median): real-time factor %.3f per take, %.3f for "
                            + "all %d takes; top level %d windows, re-prefill %.0f%% of later windows' time%n",
                    tier.name().toLowerCase(Locale.ROOT), n, median, rtf, rtf * n, n, topWindows[0], 100 * share);
        }
    }

    /**
     * What an extend costs against making the longer take from scratch: a take of {@code seconds}, extended by
     * the same again, versus one take of twice the length. The extension samples only the new tokens (and
     * re-reads the context of the windows it opens); the take's own tokens are not sampled again.
     */
    private static void extension(NDManager root, ContinuationPipeline pipeline, String name, float[] prime, long frames,
                                  int repeats, boolean json, double seconds) {
        List<SamplingParams> params = List.of(new SamplingParams(0.98, 0, 0.0, 1));
        ContinuationPipeline.Request one = new ContinuationPipeline.Request(1, Tier.SKETCH, params, true, true);
        double[] extend = new double[repeats];
        double[] scratch = new double[repeats];
        long[] newTokens = new long[1];
        ContinuationPipeline.Sampled first = pipeline.continueWithCodes(root, prime, frames, one,
                new Monitor() {});
        java.util.Map<Integer, long[]> codes = new java.util.TreeMap<>();
        first.codes().forEach((level, rows) -> codes.put(level, rows[0]));
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            pipeline.extend(root, codes, first.primeTopTokens(), frames, frames, first.traits(), first.warp(), one,
                    new Monitor() {
                        @Override
                        public void progress(int level, long done, long total) {
                            newTokens[0] = total;
                        }
                    });
            extend[r] = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            pipeline.continueAudio(root, prime, 2 * frames, one, new Monitor() {});
            scratch[r] = (System.nanoTime() - t1) / 1e9;
        }
        double e = Stats.median(extend);
        double s = Stats.median(scratch);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"bench\":\"extend\",\"model\":\"%s\",\"seconds\":%.2f,\"extend_s_median\":%.3f,"
                    + "\"from_scratch_s_median\":%.3f,\"new_top_tokens\":%d}%n", name, seconds, e, s, newTokens[0]);
        } else {
            System.out.printf(Locale.ROOT, "extend  N=1  a %.1f s take by %.1f s: %.2f s (%d new top-level tokens); the %.1f s take "
                    + "from scratch: %.2f s (extend costs %.0f%% of it)%n", seconds, seconds, e, newTokens[0], 2 * seconds, s,
                    100 * e / s);
        }
    }
}
