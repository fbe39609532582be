package dev.segue.engine.sampling;

/**
 * Finishing touches at the seam, applied to a take in place. The decoder's audio continues its OWN
 * reconstruction of the prime, which sits a little off the real prime; the jump between the prime's last
 * real sample and the take's first is a click. Declicking carries that offset and fades it out over a few
 * milliseconds. Loudness matching scales the take to the prime's recent RMS, within ±12 dB so a near-silent
 * take is not blown up into noise.
 */
public final class SeamPolish {
    static final double MAX_GAIN = 4.0;
    private static final double LOUDNESS_WINDOW_SECONDS = 3.0;

    private SeamPolish() {}

    /**
     * @param primeLast the prime's last real sample
     * @param reconstructedLast the decoder's reconstruction of that same sample
     * @param fadeFrames how many samples the offset takes to fade out
     */
    public static void declick(float[] take, float primeLast, float reconstructedLast, int fadeFrames) {
        double offset = primeLast - reconstructedLast;
        int n = Math.min(fadeFrames, take.length);
        for (int i = 0; i < n; i++) {
            double w = 1.0 - (i + 1.0) / (n + 1.0);
            take[i] += (float) (offset * w);
        }
    }

    /** Scales {@code take} so its RMS matches the last few seconds of the prime; returns the gain used. */
    public static double matchLoudness(float[] take, float[] prime, int sampleRate) {
        int window = (int) Math.min(prime.length, (long) (LOUDNESS_WINDOW_SECONDS * sampleRate));
        double primeRms = rms(prime, prime.length - window, prime.length);
        double takeRms = rms(take, 0, take.length);
        if (primeRms < 1e-6 || takeRms < 1e-6) {
            return 1.0; // silence on either side: nothing meaningful to match
        }
        double gain = Math.max(1 / MAX_GAIN, Math.min(MAX_GAIN, primeRms / takeRms));
        for (int i = 0; i < take.length; i++) {
            take[i] = (float) (take[i] * gain);
        }
        return gain;
    }

    static double rms(float[] x, int from, int to) {
        if (to <= from) {
            return 0;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) x[i] * x[i];
        }
        return Math.sqrt(sum / (to - from));
    }
}
