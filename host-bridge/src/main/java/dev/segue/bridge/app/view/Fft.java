package dev.segue.bridge.app.view;

/**
 * In-place iterative radix-2 complex FFT (forward, no scaling), for the spectrogram. The engine's
 * {@code analysis/Fft} is the same loop: the host bridge and the engine share only {@code protocol/}, and a
 * module of its own for one small transform would cost more than these lines.
 */
final class Fft {
    private final int n;
    private final double[] cos;
    private final double[] sin;
    private final int[] reversed;

    /** @param n a power of two, at least 2 */
    Fft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two >= 2, got " + n);
        }
        this.n = n;
        cos = new double[n / 2];
        sin = new double[n / 2];
        for (int k = 0; k < n / 2; k++) {
            cos[k] = Math.cos(-2 * Math.PI * k / n);
            sin[k] = Math.sin(-2 * Math.PI * k / n);
        }
        reversed = new int[n];
        int bits = Integer.numberOfTrailingZeros(n);
        for (int i = 0; i < n; i++) {
            reversed[i] = Integer.reverse(i) >>> (32 - bits);
        }
    }

    int size() {
        return n;
    }

    /** X[k] = sum_t x[t] e^{-2 pi i k t / n}, overwriting {@code re} and {@code im}. */
    void transform(double[] re, double[] im) {
        for (int i = 0; i < n; i++) {
            int j = reversed[i];
            if (j > i) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len / 2;
            int step = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * step];
                    double wi = sin[k * step];
                    int a = start + k;
                    int b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
