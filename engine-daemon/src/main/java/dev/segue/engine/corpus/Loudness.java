package dev.segue.engine.corpus;

/**
 * Levels clips to one loudness so the model sees music, not mixing accidents: RMS to {@link #TARGET_RMS_DB}
 * dBFS, unless that would push the peak past {@link #PEAK_CEILING_DB} dBFS, in which case the peak decides.
 * Plain RMS rather than LUFS: the clips are short, full-band, and all come from one synthesizer.
 */
final class Loudness {
    private Loudness() {}

    static final double TARGET_RMS_DB = -20.0;
    static final double PEAK_CEILING_DB = -1.0;
    /** Below this a clip is treated as silent and left alone (a gain would only raise noise). */
    static final double SILENCE_RMS_DB = -70.0;

    static double rmsDb(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += (double) v * v;
        }
        return 10 * Math.log10(Math.max(sum / Math.max(1, x.length), 1e-20));
    }

    static double peakDb(float[] x) {
        double peak = 0;
        for (float v : x) {
            peak = Math.max(peak, Math.abs(v));
        }
        return 20 * Math.log10(Math.max(peak, 1e-10));
    }

    /** Scales {@code x} in place; returns the gain applied in dB. */
    static double normalise(float[] x) {
        double rms = rmsDb(x);
        if (rms < SILENCE_RMS_DB) {
            return 0.0;
        }
        double gainDb = Math.min(TARGET_RMS_DB - rms, PEAK_CEILING_DB - peakDb(x));
        float gain = (float) Math.pow(10, gainDb / 20);
        for (int i = 0; i < x.length; i++) {
            x[i] *= gain;
        }
        return gainDb;
    }
}
