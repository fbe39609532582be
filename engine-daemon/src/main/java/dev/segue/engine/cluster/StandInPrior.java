package dev.segue.engine.cluster;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import java.nio.ByteBuffer;

/**
 * No model: a prior that waits {@code tokenMillis} per token (20 tokens a job) and writes a sine per take whose
 * pitch follows the take's seed, for cluster tests and benches. It sleeps rather than computes, so several
 * of them on one small machine behave like several devices; its takes are a function of the seed alone, as
 * a deterministic engine's are. It keeps a state per take (its seed and length) so takes extend. Like a real
 * engine that finds a request bad only once it runs, it refuses seed {@link #REFUSED_SEED} after its first token
 * (the client's error, {@code BAD_MESSAGE}), so tests can follow a job that fails.
 */
public final class StandInPrior implements ContinuationEngine {
    static final int TOKENS = 20;
    /** The seed this stand-in refuses once the job runs. */
    public static final long REFUSED_SEED = 666;
    private static final int RATE = 32_000;

    private final String name;
    private final long tokenMillis;

    public StandInPrior(String name, long tokenMillis) {
        this.name = name;
        this.tokenMillis = tokenMillis;
    }

    public String priorName() {
        return name;
    }

    public int sampleRate() {
        return RATE;
    }

    public int levels() {
        return 1;
    }

    public boolean labels() {
        return false;
    }

    public double maxContinuationSeconds() {
        return 120;
    }

    public double minPrimeSeconds() {
        return 0.01;
    }

    /** Keeps no time, so the DAW's context changes nothing. */
    @Override
    public Takes continueTakes(float[] prime, int rate, long frames, GenerationRequest r, DawContext context,
                               Monitor monitor) {
        long[] seeds = new long[r.candidates()];
        for (int c = 0; c < seeds.length; c++) {
            seeds[c] = r.seed() + c;
        }
        return make(seeds, new long[seeds.length], rate, frames, monitor);
    }

    @Override
    public Takes extend(byte[] state, float[] previous, int rate, long frames, Monitor monitor) {
        ByteBuffer b = ByteBuffer.wrap(state);
        return make(new long[] {b.getLong()}, new long[] {b.getLong()}, rate, frames, monitor);
    }

    private Takes make(long[] seeds, long[] from, int rate, long frames, Monitor monitor) {
        float[][] audio = new float[seeds.length][(int) frames];
        byte[][] states = new byte[seeds.length][];
        for (int t = 1; t <= TOKENS; t++) {
            for (long slept = 0; slept < tokenMillis; slept += 5) { // the cancel flag between 5 ms slices
                if (monitor.cancelled()) {
                    throw new IllegalStateException("cancelled");
                }
                sleep(Math.min(5, tokenMillis - slept));
            }
            if (monitor.cancelled()) {
                throw new IllegalStateException("cancelled");
            }
            int lo = (int) (frames * (t - 1) / TOKENS);
            int hi = (int) (frames * t / TOKENS);
            for (int c = 0; c < seeds.length; c++) {
                double hz = 110.0 * (1 + Math.floorMod(Long.hashCode(seeds[c] * 0x9E3779B97F4A7C15L), 8));
                for (int i = lo; i < hi; i++) {
                    audio[c][i] = (float) (0.25 * Math.sin(2 * Math.PI * hz * (from[c] + i) / rate));
                }
                if (t % 5 == 0) {
                    monitor.preview(c, lo, java.util.Arrays.copyOfRange(audio[c], lo, hi));
                }
            }
            monitor.progress(0, t, TOKENS);
            if (seeds[0] == REFUSED_SEED) {
                throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.seed: the stand-in refuses seed "
                        + REFUSED_SEED);
            }
        }
        for (int c = 0; c < seeds.length; c++) {
            states[c] = ByteBuffer.allocate(16).putLong(seeds[c]).putLong(from[c] + frames).array();
        }
        return new Takes(audio, states);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
