package dev.segue.engine.bench;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.resident.ResidentModel;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.bench.Stats;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.sampling.WindowCache;
import dev.segue.engine.sampling.WindowScoring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of {@code bench continuation} about keeping the key/value cache across top-level windows: a
 * sketch take long enough for several windows, timed under each {@link WindowCache} policy against
 * re-prefilling every window, and the cost of the inexact policy in bits per token on a held-out corpus clip
 * the model never trained on (teacher-forced, walked window by window as sampling walks it).
 */
public final class WindowCacheBench {
    /** Windows after the first that the measured take spans: enough for re-prefills to show. */
    private static final int LATER_WINDOWS = 6;

    private WindowCacheBench() {}

    static void run(NDManager root, ResidentModel model, double primeSeconds, int[] candidates, int repeats,
                    boolean json) {
        Prior top = model.priors().get(model.priors().keySet().stream().max(Integer::compare).orElseThrow());
        int sr = model.vqvae().config().sampleRate();
        int hop = model.vqvae().config().hopLength(top.config().level());
        int nCtx = top.config().nCtx();
        int windowHop = (int) Math.round(nCtx * ContinuationPipeline.TOP_HOP_FRACTION);
        int primeTokens = (int) Math.ceil(primeSeconds * sr / hop);
        // The first window takes half the context (or up to nCtx with the prime); then hops.
        int totalTokens = Math.max(nCtx, primeTokens + nCtx / 2) + LATER_WINDOWS * windowHop;
        double seconds = (totalTokens - primeTokens) * (double) hop / sr;
        float[] prime = heldOutClip(primeSeconds, sr, 0);
        long frames = Math.round(seconds * sr);
        if (!json) {
            System.out.printf(Locale.ROOT, "window cache: %.1f s prime, %.1f s take (%d top-level tokens, n_ctx %d, "
                    + "hop %d), sketch tier, median of %d%n", primeSeconds, seconds, totalTokens, nCtx, windowHop, repeats);
        }
        for (int n : candidates) {
            double reprefill = 0;
            for (WindowCache policy : WindowCache.values()) {
                double wall = timeTake(root, model, policy, prime, frames, n, repeats);
                reprefill = policy == WindowCache.REPREFILL ? wall : reprefill;
                if (json) {
                    System.out.printf(Locale.ROOT, "{\"bench\":\"window_cache\",\"model\":\"%s\",\"policy\":\"%s\",\"n\":%d,"
                                    + "\"seconds\":%.2f,\"wall_s_median\":%.3f,\"vs_reprefill\":%.3f}%n", model.name(),
                            policy.name().toLowerCase(Locale.ROOT), n, seconds, wall, wall / reprefill);
                } else {
                    System.out.printf(Locale.ROOT, "  %-9s N=%-2d %.2f s wall (median), %.2fx the re-prefill time%n",
                            policy.name().toLowerCase(Locale.ROOT), n, wall, wall / reprefill);
                }
            }
        }
        float[] clip = heldOutClip(primeSeconds + seconds, sr, 1);
        long[] codes = encode(root, model, clip, top.config().level());
        PrimeTraits traits = top.hasBeatClock()
                ? PrimeTraits.measure(java.util.Arrays.copyOf(clip, primeTokens * hop), sr) : null;
        for (WindowCache policy : WindowCache.values()) {
            WindowScoring.Score s = WindowScoring.score(root, top, codes, traits, primeTokens, policy);
            if (json) {
                System.out.printf(Locale.ROOT, "{\"bench\":\"window_cache_bits\",\"model\":\"%s\",\"policy\":\"%s\","
                                + "\"bits_per_token\":%.4f,\"tokens\":%d,\"windows\":%d,\"prefilled_windows\":%d}%n",
                        model.name(), policy.name().toLowerCase(Locale.ROOT), s.bitsPerToken(), s.tokens(), s.windows(),
                        s.prefilledWindows());
            } else {
                System.out.printf(Locale.ROOT, "  %-9s held-out clip, teacher-forced: %.4f bits per token over %d tokens "
                                + "(%d windows, %d prefilled)%n", policy.name().toLowerCase(Locale.ROOT), s.bitsPerToken(),
                        s.tokens(), s.windows(), s.prefilledWindows());
            }
        }
    }

    private static double timeTake(NDManager root, ResidentModel model, WindowCache policy, float[] prime, long frames,
                                   int n, int repeats) {
        ContinuationPipeline pipeline = new ContinuationPipeline(model.vqvae(), model.priors(), policy);
        List<SamplingParams> params = new ArrayList<>();
        params.add(new SamplingParams(0.98, 0, 0.0, 1));
        ContinuationPipeline.Request request = new ContinuationPipeline.Request(n, Tier.SKETCH, params, true, true);
        double[] wall = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            pipeline.continueAudio(root, prime, frames, request, new Monitor() {});
            wall[r] = (System.nanoTime() - t0) / 1e9;
        }
        return Stats.median(wall);
    }

    /** A held-out corpus clip (seeds from 10^9, never trained on), or a decaying tone if no SoundFont is here. */
    private static float[] heldOutClip(double seconds, int sr, int index) {
        try {
            return CorpusGenerator.withDefaultSoundFont().clip(CorpusGenerator.HELD_OUT_SEED_BASE + 500 + index,
                    seconds, sr).audio();
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("window cache: no corpus clip (" + e.getMessage() + "); using a tone");
            float[] tone = new float[(int) Math.round(seconds * sr)];
            for (int i = 0; i < tone.length; i++) {
                tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / sr) * Math.exp(-3.0 * (i % (sr / 2)) / sr));
            }
            return tone;
        }
    }

    private static long[] encode(NDManager root, ResidentModel model, float[] audio, int level) {
        try (NDManager m = root.newSubManager()) {
            return model.vqvae().encode(m.create(audio, new Shape(1, audio.length)), level).toLongArray();
        }
    }
}
