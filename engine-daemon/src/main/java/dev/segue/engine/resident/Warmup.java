package dev.segue.engine.resident;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import java.util.List;

/**
 * A tiny job through each loaded prior before the daemon announces itself: the first real job then finds its
 * kernels compiled (the JIT's, and libtorch's first-call set-up) instead of paying for them in its first preview.
 * The job is a second of quiet noise continued by half a second at the sketch tier, long enough to pass through
 * prefill, sampling, one preview and the decoder.
 */
public final class Warmup {
    private static final double PRIME_SECONDS = 1.0;
    private static final double TAKE_SECONDS = 0.5;

    private Warmup() {}

    /** Runs the warm-up job on {@code engine}; returns the milliseconds it took. */
    public static long run(ContinuationEngine engine) {
        long t0 = System.nanoTime();
        int rate = engine.sampleRate();
        float[] prime = new float[(int) Math.max(PRIME_SECONDS * rate, Math.ceil(engine.minPrimeSeconds() * rate) + 1)];
        java.util.Random noise = new java.util.Random(1);
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.01 * noise.nextGaussian());
        }
        GenerationRequest request = new GenerationRequest(engine.priorName(), "sketch", new Length.Seconds(TAKE_SECONDS), 1,
                Quality.SKETCH, List.of(1.0), null, null, 1, null, null, null);
        engine.continueTakes(prime, rate, (long) (TAKE_SECONDS * rate), request, new Monitor() {
            @Override
            public void progress(int level, long done, long total) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        });
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
