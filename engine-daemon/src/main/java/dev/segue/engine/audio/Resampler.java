package dev.segue.engine.audio;

/**
 * Band-limited sample-rate conversion by windowed-sinc interpolation (Kaiser window). Output sample n
 * sits at input time n * in/out, so time zero maps to time zero: a continuation resampled from the model
 * rate back to the DAW rate still starts on the prime's last sample boundary. When converting down, the
 * kernel's cutoff follows the output's Nyquist frequency, so content above it is removed, not folded.
 * The quality is measured by a test: passband error and alias rejection on sines.
 */
public final class Resampler {
    /** Zero crossings of the sinc on each side of the centre, at the lower of the two rates. */
    private static final int ZERO_CROSSINGS = 32;
    /** Cutoff as a fraction of the lower Nyquist frequency: the transition band sits just below it. */
    private static final double CUTOFF = 0.94;
    /** Kaiser beta for roughly 90 dB of stop-band attenuation. */
    private static final double BETA = 9.0;

    private Resampler() {}

    /** Output samples between two calls of {@link #resample}'s {@code between}: about 0.1 s at 44.1 kHz. */
    private static final int BLOCK = 4096;

    /** {@code length} output samples of mono {@code x} converted from {@code inRate} to {@code outRate}. */
    public static float[] resample(float[] x, int inRate, int outRate, int length) {
        return resample(x, inRate, outRate, length, () -> { });
    }

    /**
     * As above, calling {@code between} before each block of {@value #BLOCK} output samples: a job's cancel
     * check, which stops a long conversion by throwing.
     */
    public static float[] resample(float[] x, int inRate, int outRate, int length, Runnable between) {
        if (inRate <= 0 || outRate <= 0 || length < 0) {
            throw new IllegalArgumentException("rates must be positive and the length non-negative");
        }
        float[] y = new float[length];
        if (inRate == outRate) {
            System.arraycopy(x, 0, y, 0, Math.min(length, x.length));
            return y;
        }
        double step = (double) inRate / outRate;
        double scale = Math.min(1.0, (double) outRate / inRate) * CUTOFF; // cutoff in input-Nyquist units
        double halfWidth = ZERO_CROSSINGS / scale;                         // in input samples
        float[] kernel = kernel(scale);
        double toTable = (TABLE_SIZE - 1) / halfWidth;
        for (int n = 0; n < length; n++) {
            if (n % BLOCK == 0) {
                between.run();
            }
            double centre = n * step;
            int first = Math.max(0, (int) Math.ceil(centre - halfWidth));
            int last = Math.min(x.length - 1, (int) Math.floor(centre + halfWidth));
            double acc = 0;
            for (int k = first; k <= last; k++) {
                // Linear interpolation in a table of 32 k points: about 1000 per zero crossing.
                double pos = Math.abs(k - centre) * toTable;
                int j = (int) pos;
                double frac = pos - j;
                double h = j + 1 < TABLE_SIZE ? kernel[j] + frac * (kernel[j + 1] - kernel[j]) : kernel[j];
                acc += x[k] * h;
            }
            y[n] = (float) acc;
        }
        return y;
    }

    private static final int TABLE_SIZE = 1 << 15;

    /** The windowed sinc sampled at |t| = i / (TABLE_SIZE - 1) of the half width, i in [0, TABLE_SIZE). */
    private static float[] kernel(double scale) {
        double halfWidth = ZERO_CROSSINGS / scale;
        double i0Beta = besselI0(BETA);
        float[] table = new float[TABLE_SIZE];
        for (int i = 0; i < TABLE_SIZE; i++) {
            double r = (double) i / (TABLE_SIZE - 1);
            double t = r * halfWidth;
            double window = besselI0(BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            table[i] = (float) (scale * sinc(scale * t) * window);
        }
        return table;
    }

    /** Output samples that cover {@code inLength} input samples. */
    public static int convertedLength(long inLength, int inRate, int outRate) {
        return (int) Math.ceil((double) inLength * outRate / inRate);
    }

    private static double sinc(double t) {
        if (Math.abs(t) < 1e-12) {
            return 1;
        }
        double p = Math.PI * t;
        return Math.sin(p) / p;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series. */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double half = x / 2;
        for (int k = 1; k < 50; k++) {
            term *= (half / k) * (half / k);
            sum += term;
            if (term < 1e-12 * sum) {
                break;
            }
        }
        return sum;
    }
}
