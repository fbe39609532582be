package dev.segue.engine.train;

import java.util.Random;

/**
 * Procedural stand-in songs for developing and testing the trainer without a corpus: a drum pattern, a bass
 * line on the chord roots, sustained chords and a plucked melody in one key and tempo per song. Simple
 * additive timbres, but with the structure a prior can learn (tempo, bars, repetition).
 */
final class SyntheticSongs {
    private static final int[] MAJOR = {0, 2, 4, 5, 7, 9, 11};
    private static final int[][] PROGRESSIONS = {{0, 4, 5, 3}, {0, 5, 3, 4}, {5, 3, 0, 4}, {0, 3, 4, 4}};

    private SyntheticSongs() {}

    /** {@code count} songs of {@code seconds} each at {@code rate}, the same for the same seed. */
    static java.util.List<float[]> generate(long seed, int count, double seconds, int rate) {
        java.util.List<float[]> songs = new java.util.ArrayList<>();
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            songs.add(song(new Random(r.nextLong()), seconds, rate));
        }
        return songs;
    }

    static float[] song(Random r, double seconds, int rate) {
        int n = (int) (seconds * rate);
        float[] out = new float[n];
        double bpm = 90 + r.nextInt(51);
        double beat = 60.0 / bpm;
        int key = 45 + r.nextInt(12); // MIDI root of the key, A2..G#3
        int[] prog = PROGRESSIONS[r.nextInt(PROGRESSIONS.length)];
        double brightness = 0.3 + 0.6 * r.nextDouble();
        int beats = (int) (seconds / beat);
        long[] melody = new long[8];
        for (int i = 0; i < melody.length; i++) {
            melody[i] = r.nextInt(MAJOR.length + 3) - 1; // a degree, -1 = rest
        }
        for (int b = 0; b < beats; b++) {
            int start = (int) (b * beat * rate);
            int bar = b / 4;
            int degree = prog[bar % prog.length];
            int root = key + MAJOR[degree];
            // Drums: kick on 1 and 3, snare on 2 and 4, hats on every eighth.
            if (b % 2 == 0) {
                kick(out, start, rate, r);
            } else {
                snare(out, start, rate, r);
            }
            hat(out, start, rate, r);
            hat(out, start + (int) (beat * rate / 2), rate, r);
            // Bass on the root, one note per beat.
            tone(out, start, (int) (beat * rate * 0.9), midi(root - 12), 0.25, 6.0, 0.4 * brightness, rate);
            // Chord on the first beat of each bar, held for the bar.
            if (b % 4 == 0) {
                for (int third = 0; third < 3; third++) {
                    int pitch = key + MAJOR[(degree + 2 * third) % 7] + 12 * ((degree + 2 * third) / 7) + 12;
                    tone(out, start, (int) (4 * beat * rate), midi(pitch), 0.06, 0.8, brightness, rate);
                }
            }
            // Melody: a repeating 8-step motif over eighths, transposed with the chord.
            for (int half = 0; half < 2; half++) {
                long d = melody[(2 * b + half) % melody.length];
                if (d >= 0) {
                    int deg = (int) (d + degree) % 7;
                    int pitch = key + 24 + MAJOR[deg];
                    int at = start + (int) (half * beat * rate / 2);
                    tone(out, at, (int) (beat * rate / 2), midi(pitch), 0.12, 9.0, brightness, rate);
                }
            }
        }
        float peak = 1e-6f;
        for (float v : out) {
            peak = Math.max(peak, Math.abs(v));
        }
        float gain = 0.5f / peak;
        for (int i = 0; i < n; i++) {
            out[i] *= gain;
        }
        return out;
    }

    private static double midi(int note) {
        return 440.0 * Math.pow(2, (note - 69) / 12.0);
    }

    /** A decaying tone with a few harmonics; {@code bright} sets how much of the upper harmonics there is. */
    private static void tone(float[] out, int start, int len, double f, double amp, double decay, double bright,
                             int rate) {
        for (int i = 0; i < len && start + i < out.length; i++) {
            double t = (double) i / rate;
            double env = Math.exp(-decay * t) * Math.min(1.0, t * 200) * Math.min(1.0, (len - i) / (0.01 * rate));
            double v = Math.sin(2 * Math.PI * f * t) + bright * 0.5 * Math.sin(4 * Math.PI * f * t)
                    + bright * bright * 0.3 * Math.sin(6 * Math.PI * f * t);
            out[start + i] += (float) (amp * env * v);
        }
    }

    private static void kick(float[] out, int start, int rate, Random r) {
        int len = rate / 5;
        double phase = 0;
        for (int i = 0; i < len && start + i < out.length; i++) {
            double t = (double) i / rate;
            phase += 2 * Math.PI * (50 + 100 * Math.exp(-t * 40)) / rate;
            out[start + i] += (float) (0.6 * Math.exp(-t * 18) * Math.sin(phase));
        }
    }

    private static void snare(float[] out, int start, int rate, Random r) {
        int len = rate / 6;
        for (int i = 0; i < len && start + i < out.length; i++) {
            double t = (double) i / rate;
            double noise = r.nextGaussian() * 0.25;
            out[start + i] += (float) (Math.exp(-t * 25) * (noise + 0.2 * Math.sin(2 * Math.PI * 190 * t)));
        }
    }

    private static void hat(float[] out, int start, int rate, Random r) {
        int len = rate / 25;
        double prev = 0;
        for (int i = 0; i < len && start + i < out.length; i++) {
            double t = (double) i / rate;
            double noise = r.nextGaussian();
            double high = noise - prev; // first difference: a crude high-pass
            prev = noise;
            out[start + i] += (float) (0.05 * Math.exp(-t * 90) * high);
        }
    }
}
