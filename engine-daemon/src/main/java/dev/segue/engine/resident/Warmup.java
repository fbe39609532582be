package dev.segue.engine.resident;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import java.util.List;

/**
 * A small job through each loaded prior before the daemon announces itself: the first real job then finds its
 * kernels compiled (the JIT's, and libtorch's first-call set-up per tensor shape) instead of paying for them before
 * its first preview. The job is 2 s of quiet noise at 44.1 kHz continued by half a second at the sketch tier: at a DAW
 * rate, so the resampler is compiled too, and long enough that the default prior's VQ-VAE encoder runs an interior
 * piece (whole halo on both sides; a published prior's one second runs as one piece). With a second of audio at the model rate, the first real job (an 8 s prime) spent about 1.3 s
 * more than the next one; with 4 s at 44.1 kHz it spent none, but the warm-up took 20 s on this loaded machine.
 */
public final class Warmup {
    private static final double PRIME_SECONDS = 2.0;
    /** A prior this large (a published one) warms up on one second: its prefill on the CPU costs seconds per second. */
    private static final long LARGE_BYTES = 1L << 30;
    /** A DAW rate, not the model's, so the job resamples its prime and its take as real jobs do. */
    private static final int DAW_RATE = 44100;
    private static final double TAKE_SECONDS = 0.5;

    private Warmup() {}

    /** Runs the warm-up job on {@code engine}; returns the milliseconds it took. */
    public static long run(ContinuationEngine engine) {
        long t0 = System.nanoTime();
        int rate = engine.sampleRate() == DAW_RATE ? 48000 : DAW_RATE;
        Long bytes = engine.weightBytes();
        double seconds = bytes != null && bytes > LARGE_BYTES ? 1.0 : PRIME_SECONDS;
        float[] prime = new float[(int) Math.max(seconds * rate, Math.ceil(engine.minPrimeSeconds() * rate) + 1)];
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
