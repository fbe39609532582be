package dev.segue.bridge.app.view;

/**
 * A short-time Fourier transform of a take, on a log frequency axis, in dB relative to a full-scale
 * sine: a Hann window of {@value #WINDOW} frames (21 ms at 48 kHz), channels averaged, and at most
 * {@code maxColumns} columns (the hop grows with the take, so a long take costs the same to draw).
 *
 * @param levelsDb row-major, {@code rows * columns}; row 0 is the highest band
 * @param hopFrames frames between the starts of two columns
 */
public record Spectrogram(int columns, int rows, float[] levelsDb, double minHz, double maxHz, long hopFrames) {
    static final int WINDOW = 1024;
    static final double FLOOR_DB = -120;
    static final double LOWEST_HZ = 30;

    public float level(int row, int column) {
        return levelsDb[row * columns + column];
    }

    /** The band (centre frequency on the log axis) that row {@code row} shows. */
    public double rowHz(int row) {
        double t = (rows - 1 - row + 0.5) / rows;
        return minHz * Math.pow(maxHz / minHz, t);
    }

    public static Spectrogram of(float[] interleaved, int channels, int sampleRate, int maxColumns, int rows) {
        if (maxColumns < 1 || rows < 2) {
            throw new IllegalArgumentException("need at least 1 column and 2 rows");
        }
        long frames = interleaved.length / channels;
        int columns = (int) Math.max(1, Math.min(maxColumns, (frames + WINDOW / 2) / (WINDOW / 4)));
        long hop = Math.max(1, frames / columns);
        double[] window = new double[WINDOW];
        double windowSum = 0;
        for (int i = 0; i < WINDOW; i++) {
            window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / WINDOW);
            windowSum += window[i];
        }
        double minHz = LOWEST_HZ;
        double maxHz = sampleRate / 2.0;
        int[][] bins = rowBins(rows, minHz, maxHz, sampleRate);
        Fft fft = new Fft(WINDOW);
        double[] re = new double[WINDOW];
        double[] im = new double[WINDOW];
        double[] power = new double[WINDOW / 2 + 1];
        float[] levels = new float[rows * columns];
        // A full-scale sine peaks at |X| = windowSum / 2: that is 0 dB.
        double reference = (windowSum / 2) * (windowSum / 2);
        for (int c = 0; c < columns; c++) {
            long centre = c * hop + hop / 2;
            java.util.Arrays.fill(power, 0);
            for (int ch = 0; ch < channels; ch++) {
                for (int i = 0; i < WINDOW; i++) {
                    long f = centre - WINDOW / 2 + i;
                    re[i] = f >= 0 && f < frames ? interleaved[(int) (f * channels + ch)] * window[i] : 0;
                    im[i] = 0;
                }
                fft.transform(re, im);
                for (int k = 0; k < power.length; k++) {
                    power[k] += (re[k] * re[k] + im[k] * im[k]) / channels;
                }
            }
            for (int r = 0; r < rows; r++) {
                double p = 0;
                for (int k = bins[r][0]; k <= bins[r][1]; k++) {
                    p = Math.max(p, power[k]);
                }
                levels[r * columns + c] = (float) Math.max(FLOOR_DB, 10 * Math.log10(p / reference + 1e-30));
            }
        }
        return new Spectrogram(columns, rows, levels, minHz, maxHz, hop);
    }

    /** For each row (0 = top), the FFT bins it covers; a band narrower than a bin takes its nearest bin. */
    private static int[][] rowBins(int rows, double minHz, double maxHz, int sampleRate) {
        double binHz = (double) sampleRate / WINDOW;
        int maxBin = WINDOW / 2;
        int[][] out = new int[rows][2];
        for (int r = 0; r < rows; r++) {
            double lo = minHz * Math.pow(maxHz / minHz, (double) (rows - 1 - r) / rows);
            double hi = minHz * Math.pow(maxHz / minHz, (double) (rows - r) / rows);
            int a = (int) Math.ceil(lo / binHz);
            int b = (int) Math.floor(hi / binHz);
            if (b < a) {
                a = b = (int) Math.round((lo + hi) / 2 / binHz);
            }
            out[r][0] = Math.max(0, Math.min(maxBin, a));
            out[r][1] = Math.max(0, Math.min(maxBin, b));
        }
        return out;
    }
}
