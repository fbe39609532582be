package dev.segue.engine.audio;

import dev.segue.engine.analysis.Fft;
import java.util.Random;

/**
 * A stereo prime's image, carried over to a mono take. The models generate one channel, read as the mid
 * (M = (L + R) / 2); this class makes the side from it so that, band by band, the take's inter-channel
 * correlation and left/right balance are the prime's. It is an image transferred from the prime, not a
 * model that generates stereo: every source in the take gets the prime's average placement in its band.
 *
 * <p>Measured per band (the first up to 150 Hz, the others log-spaced to Nyquist; {@link #BANDS} in all) over
 * the prime's STFT: the mid's energy e_m, the side's e_s and their cross term c = Re Σ M S*. The take's side
 * is S = a M + b D, with a = c / e_m, b = sqrt(e_s / e_m - a^2), and D a decorrelated copy of M: the same
 * magnitude in every bin, the phase turned by +90 or -90 degrees (a fixed random sign per bin), so D carries
 * M's energy and has no zero-lag correlation with it, bin by bin. Then L = M + S and R = M - S reproduce the
 * prime's e_s / e_m and c / e_m per band, hence its correlation and balance, and (L + R) / 2 is M exactly:
 * the take stays mono-compatible. S is M through one fixed filter (the band gains a + j b s_k as a
 * zero-phase FIR of {@code n - 1} taps, about 30 ms), so an extension rendered with the take's end before it
 * continues the same side without a seam. A dual-mono prime has no side: L = R = M.
 */
public final class StereoImage {
    /** Bands the image is measured and rendered in. */
    public static final int BANDS = 12;
    private static final double FIRST_EDGE_HZ = 150;
    /** The side is at most this many times the mid's energy in a band, so a near-antiphase prime stays bounded. */
    private static final double MAX_SIDE_RATIO = 4;
    /** The decorrelator's signs: fixed, so every take and extension of any prime gets the same filter shape. */
    private static final long SIGN_SEED = 0x5E6E_57E2_E0L;

    private final int sampleRate;
    private final double[] a;
    private final double[] b;
    private final float[] taps; // non-causal: taps[i] multiplies mid[t + i - (taps.length - 1) / 2]

    private StereoImage(int sampleRate, double[] a, double[] b) {
        this.sampleRate = sampleRate;
        this.a = a;
        this.b = b;
        this.taps = calibrated(sampleRate, a, b);
    }

    /** Per band: the correlation of L and R, their balance (10 log10 of E_L / E_R) and the band's energy. */
    public record Bands(double[] correlation, double[] balanceDb, double[] energy) {}

    /**
     * The image of interleaved stereo audio; null for mono audio, which has none to carry over.
     *
     * @throws IllegalArgumentException for more than two channels or a rate outside 8 kHz..192 kHz
     */
    public static StereoImage measure(float[] interleaved, int channels, int sampleRate) {
        if (channels == 1) {
            return null;
        }
        if (channels != 2 || interleaved.length % 2 != 0) {
            throw new IllegalArgumentException("a stereo image needs two interleaved channels, got " + channels);
        }
        float[][] lr = split(interleaved);
        double[][] s = stats(lr[0], lr[1], sampleRate);
        double total = 0;
        for (int k = 0; k < BANDS; k++) {
            total += s[0][k] + s[1][k];
        }
        double[] a = new double[BANDS];
        double[] b = new double[BANDS];
        for (int k = 0; k < BANDS; k++) {
            double em = s[0][k];
            double es = s[1][k];
            if (!(em > 1e-9 * total) || !(em > 0)) {
                continue; // no mid to make a side from, or a silent band
            }
            double ratio = Math.min(es / em, MAX_SIDE_RATIO);
            double ak = s[2][k] / em;
            if (ak * ak > ratio) {
                ak = Math.signum(ak) * Math.sqrt(ratio);
            }
            a[k] = ak;
            b[k] = Math.sqrt(Math.max(0, ratio - ak * ak));
        }
        return new StereoImage(sampleRate, a, b);
    }

    /** Whether the measured prime had no side at all: its takes are L = R. */
    public boolean isDualMono() {
        for (int k = 0; k < BANDS; k++) {
            if (a[k] != 0 || b[k] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Interleaved L, R for the take {@code mid} (at the measured rate). {@code before} is the audio just before
     * the take (the prime's downmix, or the take so far for an extension; may be empty), which the filter hears
     * as the take's past so the side starts as a continuation, not from silence.
     */
    public float[] render(float[] mid, float[] before) {
        float[] out = new float[mid.length * 2];
        if (isDualMono()) {
            for (int i = 0; i < mid.length; i++) {
                out[2 * i] = mid[i];
                out[2 * i + 1] = mid[i];
            }
            return out;
        }
        int half = (taps.length - 1) / 2;
        int pre = Math.min(before == null ? 0 : before.length, half);
        float[] x = new float[pre + mid.length];
        if (pre > 0) {
            System.arraycopy(before, before.length - pre, x, 0, pre);
        }
        System.arraycopy(mid, 0, x, pre, mid.length);
        double[] full = convolve(x, taps);
        for (int i = 0; i < mid.length; i++) {
            float side = (float) full[pre + i + half];
            out[2 * i] = mid[i] + side;
            out[2 * i + 1] = mid[i] - side;
        }
        return out;
    }

    /** Per-band correlation, balance and energy of two channels, as {@link #measure} reads a prime. */
    public static Bands bands(float[] left, float[] right, int sampleRate) {
        double[][] s = stats(left, right, sampleRate);
        double[] corr = new double[BANDS];
        double[] bal = new double[BANDS];
        double[] energy = new double[BANDS];
        for (int k = 0; k < BANDS; k++) {
            double em = s[0][k];
            double es = s[1][k];
            double c = s[2][k];
            double el = em + es + 2 * c;  // |M + S|^2
            double er = em + es - 2 * c;  // |M - S|^2
            double lr = em - es;          // Re (M + S)(M - S)*
            energy[k] = el + er;
            corr[k] = el > 0 && er > 0 ? lr / Math.sqrt(el * er) : Double.NaN;
            bal[k] = el > 0 && er > 0 ? 10 * Math.log10(el / er) : Double.NaN;
        }
        return new Bands(corr, bal, energy);
    }

    /** Left and right of interleaved stereo. */
    public static float[][] split(float[] interleaved) {
        int n = interleaved.length / 2;
        float[] l = new float[n];
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = interleaved[2 * i];
            r[i] = interleaved[2 * i + 1];
        }
        return new float[][] {l, r};
    }

    /** The band each FFT bin of {@code n} points at {@code sampleRate} falls in. */
    static int[] bandOfBin(int n, int sampleRate) {
        double nyquist = sampleRate / 2.0;
        double[] edges = new double[BANDS];
        edges[0] = 0;
        for (int k = 1; k < BANDS; k++) {
            edges[k] = FIRST_EDGE_HZ * Math.pow(nyquist / FIRST_EDGE_HZ, (k - 1) / (double) (BANDS - 1));
        }
        int[] band = new int[n / 2 + 1];
        for (int bin = 0; bin <= n / 2; bin++) {
            double f = bin * (double) sampleRate / n;
            int k = BANDS - 1;
            while (k > 0 && f < edges[k]) {
                k--;
            }
            band[bin] = k;
        }
        return band;
    }

    /** FFT size: about 32 ms, a power of two. */
    static int fftSize(int sampleRate) {
        if (sampleRate < 8000 || sampleRate > 192000) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " outside 8000..192000 Hz");
        }
        return Integer.highestOneBit((int) Math.ceil(sampleRate * 0.032) - 1) * 2;
    }

    /** Per band: mid energy, side energy, Re Σ M S*, over Hann-windowed frames half a frame apart. */
    private static double[][] stats(float[] left, float[] right, int sampleRate) {
        if (left.length != right.length) {
            throw new IllegalArgumentException("channels of " + left.length + " and " + right.length + " samples");
        }
        int n = fftSize(sampleRate);
        int[] band = bandOfBin(n, sampleRate);
        Fft fft = new Fft(n);
        double[] window = new double[n];
        for (int i = 0; i < n; i++) {
            window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        double[][] s = new double[3][BANDS];
        double[] mr = new double[n];
        double[] mi = new double[n];
        double[] sr = new double[n];
        double[] si = new double[n];
        int frames = Math.max(1, (left.length - n) / (n / 2) + 1);
        for (int f = 0; f < frames; f++) {
            int at = f * (n / 2);
            for (int i = 0; i < n; i++) {
                int t = at + i;
                double l = t < left.length ? left[t] : 0;
                double r = t < right.length ? right[t] : 0;
                mr[i] = 0.5 * (l + r) * window[i];
                sr[i] = 0.5 * (l - r) * window[i];
                mi[i] = 0;
                si[i] = 0;
            }
            fft.transform(mr, mi);
            fft.transform(sr, si);
            for (int bin = 1; bin <= n / 2; bin++) { // DC says nothing about an image
                int k = band[bin];
                s[0][k] += mr[bin] * mr[bin] + mi[bin] * mi[bin];
                s[1][k] += sr[bin] * sr[bin] + si[bin] * si[bin];
                s[2][k] += mr[bin] * sr[bin] + mi[bin] * si[bin];
            }
        }
        return s;
    }

    /**
     * The side filter: per bin the gain a + j b s (s = +1 or -1, fixed), Hermitian so the filter is real;
     * its inverse FFT read as taps -n/2+1 .. n/2-1 about zero. The imaginary part makes an odd impulse
     * response, whose response is imaginary at every frequency: D has no zero-lag correlation with M.
     */
    private static float[] design(int sampleRate, double[] a, double[] b) {
        int n = fftSize(sampleRate);
        int[] band = bandOfBin(n, sampleRate);
        Random signs = new Random(SIGN_SEED);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int bin = 0; bin <= n / 2; bin++) {
            int k = band[bin];
            double sign = signs.nextBoolean() ? 1 : -1;
            re[bin] = a[k];
            im[bin] = bin == 0 || bin == n / 2 ? 0 : b[k] * sign;
            if (bin > 0 && bin < n / 2) {
                re[n - bin] = re[bin];
                im[n - bin] = -im[bin];
            }
        }
        // Inverse FFT as the conjugate of the forward transform of the conjugate.
        for (int i = 0; i < n; i++) {
            im[i] = -im[i];
        }
        new Fft(n).transform(re, im);
        float[] taps = new float[n - 1];
        int half = n / 2 - 1;
        for (int j = -half; j <= half; j++) {
            taps[j + half] = (float) (re[Math.floorMod(j, n)] / n);
        }
        return taps;
    }

    /**
     * The side filter with each band's decorrelated energy as asked: between bins the random signs make the
     * response dip, so a narrow band's mean |Im H|^2 can miss b^2 by a third. The response is read on a grid
     * eight times finer and each band's b rescaled, three times (a band's rescaling moves its neighbours').
     */
    private static float[] calibrated(int sampleRate, double[] a, double[] b) {
        double[] scaled = b.clone();
        float[] taps = design(sampleRate, a, scaled);
        for (int round = 0; round < 3; round++) {
            double[] got = meanSquaredImaginary(taps, sampleRate);
            for (int k = 0; k < BANDS; k++) {
                if (b[k] > 0 && got[k] > 0) {
                    scaled[k] *= Math.sqrt(b[k] * b[k] / got[k]);
                }
            }
            taps = design(sampleRate, a, scaled);
        }
        return taps;
    }

    /** Per band, the mean of (Im H)^2 of the zero-centred filter {@code taps}, on a fine frequency grid. */
    private static double[] meanSquaredImaginary(float[] taps, int sampleRate) {
        int fine = Integer.highestOneBit(taps.length) * 16;
        double[] re = new double[fine];
        double[] im = new double[fine];
        int half = (taps.length - 1) / 2;
        for (int i = 0; i < taps.length; i++) {
            re[Math.floorMod(i - half, fine)] = taps[i];
        }
        new Fft(fine).transform(re, im);
        int[] band = bandOfBin(fine, sampleRate);
        double[] sum = new double[BANDS];
        int[] count = new int[BANDS];
        for (int bin = 1; bin <= fine / 2; bin++) {
            sum[band[bin]] += im[bin] * im[bin];
            count[band[bin]]++;
        }
        for (int k = 0; k < BANDS; k++) {
            sum[k] = count[k] == 0 ? 0 : sum[k] / count[k];
        }
        return sum;
    }

    /** Full linear convolution of {@code x} with {@code h}, by overlap-add FFT blocks. */
    private static double[] convolve(float[] x, float[] h) {
        int m = h.length;
        int size = Integer.highestOneBit(Math.max(2, m) - 1) * 4; // at least 2m: blocks of size - m + 1
        int block = size - m + 1;
        Fft fft = new Fft(size);
        double[] hr = new double[size];
        double[] hi = new double[size];
        for (int i = 0; i < m; i++) {
            hr[i] = h[i];
        }
        fft.transform(hr, hi);
        double[] out = new double[x.length + m - 1];
        double[] re = new double[size];
        double[] im = new double[size];
        for (int start = 0; start < x.length; start += block) {
            int len = Math.min(block, x.length - start);
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            for (int i = 0; i < len; i++) {
                re[i] = x[start + i];
            }
            fft.transform(re, im);
            for (int i = 0; i < size; i++) { // multiply, and conjugate for the inverse
                double r = re[i] * hr[i] - im[i] * hi[i];
                double q = re[i] * hi[i] + im[i] * hr[i];
                re[i] = r;
                im[i] = -q;
            }
            fft.transform(re, im);
            int end = Math.min(out.length, start + len + m - 1);
            for (int i = start; i < end; i++) {
                out[i] += re[i - start] / size;
            }
        }
        return out;
    }

    public int sampleRate() {
        return sampleRate;
    }
}
