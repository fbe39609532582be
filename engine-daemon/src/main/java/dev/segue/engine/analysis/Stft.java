package dev.segue.engine.analysis;

/**
 * Magnitude short-time Fourier transform as torch.stft computes it with {@code center=True}: frames every
 * {@code hop} samples, each centred on its sample (the signal reflect-padded by nFft/2 at both ends), a
 * periodic Hann window of {@code window} samples centred in nFft, magnitudes of bins 0..nFft/2.
 */
public final class Stft {
    /** One STFT configuration. */
    public record Resolution(int nFft, int hop, int window) {
        public Resolution {
            if (Integer.bitCount(nFft) != 1 || hop < 1 || window < 2 || window > nFft) {
                throw new IllegalArgumentException("bad STFT resolution " + nFft + "/" + hop + "/" + window);
            }
        }
    }

    private Stft() {}

    /** Frames between two calls of {@link #magnitude}'s {@code between}. */
    private static final int BLOCK = 64;

    /** Magnitudes [frame][bin], bins 0..nFft/2. */
    public static float[][] magnitude(float[] x, Resolution r) {
        return magnitude(x, r, () -> { });
    }

    /** As above, calling {@code between} before each block of {@value #BLOCK} frames (a job's cancel check). */
    public static float[][] magnitude(float[] x, Resolution r, Runnable between) {
        int nFft = r.nFft();
        int pad = nFft / 2;
        if (x.length <= pad) {
            throw new IllegalArgumentException("signal of " + x.length + " samples is too short for an STFT of " + nFft);
        }
        int frames = 1 + x.length / r.hop();
        double[] window = new double[nFft];
        int offset = (nFft - r.window()) / 2;
        for (int i = 0; i < r.window(); i++) {
            window[offset + i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / r.window());
        }
        Fft fft = new Fft(nFft);
        double[] re = new double[nFft];
        double[] im = new double[nFft];
        float[][] out = new float[frames][nFft / 2 + 1];
        for (int f = 0; f < frames; f++) {
            if (f % BLOCK == 0) {
                between.run();
            }
            int start = f * r.hop() - pad;
            for (int i = 0; i < nFft; i++) {
                re[i] = window[i] == 0 ? 0 : window[i] * reflect(x, start + i);
                im[i] = 0;
            }
            fft.transform(re, im);
            for (int k = 0; k <= nFft / 2; k++) {
                out[f][k] = (float) Math.hypot(re[k], im[k]);
            }
        }
        return out;
    }

    /** Reflect padding without repeating the edge sample, as numpy/torch "reflect". */
    private static float reflect(float[] x, int i) {
        int n = x.length;
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return x[i];
    }

    /** Centre frequency of bin k in Hz. */
    public static double binHz(int k, int nFft, int sampleRate) {
        return (double) k * sampleRate / nFft;
    }
}
