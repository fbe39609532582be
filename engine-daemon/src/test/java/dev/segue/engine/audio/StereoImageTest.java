package dev.segue.engine.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A mono take gets its stereo prime's per-band image, stays mono-compatible, and dual mono stays dual mono. */
class StereoImageTest {
    private static final int RATE = 48000;

    private static float[] noise(long seed, int n, double lowpass) {
        Random r = new Random(seed);
        float[] x = new float[n];
        double y = 0;
        for (int i = 0; i < n; i++) {
            y = lowpass * y + (1 - lowpass) * r.nextGaussian();
            x[i] = (float) (0.1 * y);
        }
        return x;
    }

    private static float[] interleave(float[] l, float[] r) {
        float[] out = new float[l.length * 2];
        for (int i = 0; i < l.length; i++) {
            out[2 * i] = l[i];
            out[2 * i + 1] = r[i];
        }
        return out;
    }

    /** Broadband: R = 0.5 (rho x + sqrt(1 - rho^2) y), L = x, so every band has correlation rho and L 6 dB up. */
    private static float[] panned(double rho, double rightGain, int n) {
        float[] x = noise(1, n, 0);
        float[] y = noise(2, n, 0);
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = (float) (rightGain * (rho * x[i] + Math.sqrt(1 - rho * rho) * y[i]));
        }
        return interleave(x, r);
    }

    /** Lows shared by both channels (correlation near 1), highs independent (near 0): the image differs by band. */
    private static float[] lowsCentredHighsWide(int n) {
        float[] low = noise(3, n, 0.995);
        float[] a = noise(4, n, 0);
        float[] b = noise(5, n, 0);
        float[] l = new float[n];
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = 4 * low[i] + a[i] - (i > 0 ? a[i - 1] : 0);
            r[i] = 4 * low[i] + b[i] - (i > 0 ? b[i - 1] : 0);
        }
        return interleave(l, r);
    }

    private static void assertImageCarried(float[] prime) {
        StereoImage image = StereoImage.measure(prime, 2, RATE);
        float[][] p = StereoImage.split(prime);
        StereoImage.Bands want = StereoImage.bands(p[0], p[1], RATE);
        float[] mid = noise(9, 6 * RATE, 0.6); // a take with another spectrum than the prime's
        float[] take = image.render(mid, new float[0]);
        float[][] t = StereoImage.split(take);
        StereoImage.Bands got = StereoImage.bands(t[0], t[1], RATE);
        double primeTotal = java.util.Arrays.stream(want.energy()).sum();
        double takeTotal = java.util.Arrays.stream(got.energy()).sum();
        int checked = 0;
        for (int k = 0; k < StereoImage.BANDS; k++) {
            if (want.energy()[k] < 1e-4 * primeTotal || got.energy()[k] < 1e-4 * takeTotal) {
                continue;
            }
            checked++;
            assertEquals(want.correlation()[k], got.correlation()[k], 0.15, "band " + k + " correlation");
            assertEquals(want.balanceDb()[k], got.balanceDb()[k], 1.5, "band " + k + " balance");
        }
        assertTrue(checked >= StereoImage.BANDS - 2, "bands compared: " + checked);
    }

    @Test
    void aPannedPartlyCorrelatedPrimeGivesItsImageToTheTake() {
        float[] prime = panned(0.5, 0.5, 8 * RATE);
        float[][] p = StereoImage.split(prime);
        StereoImage.Bands want = StereoImage.bands(p[0], p[1], RATE);
        assertEquals(0.5, want.correlation()[6], 0.05, "the test prime is what it says");
        assertEquals(20 * Math.log10(1 / 0.5), want.balanceDb()[6], 0.5);
        assertImageCarried(prime);
    }

    @Test
    void eachBandKeepsItsOwnCorrelation() {
        float[] prime = lowsCentredHighsWide(8 * RATE);
        float[][] p = StereoImage.split(prime);
        StereoImage.Bands want = StereoImage.bands(p[0], p[1], RATE);
        assertTrue(want.correlation()[1] > 0.9 && want.correlation()[StereoImage.BANDS - 1] < 0.1,
                "the test prime's lows are centred and its highs wide");
        assertImageCarried(prime);
    }

    @Test
    void theTakesMidIsTheGeneratedTake() {
        StereoImage image = StereoImage.measure(panned(0.2, 0.7, 4 * RATE), 2, RATE);
        float[] mid = noise(11, 3 * RATE, 0.3);
        float[] take = image.render(mid, noise(12, RATE, 0.3));
        double maxDiff = 0;
        boolean differ = false;
        for (int i = 0; i < mid.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((take[2 * i] + take[2 * i + 1]) / 2 - mid[i]));
            differ |= take[2 * i] != take[2 * i + 1];
        }
        assertTrue(maxDiff < 1e-6, "(L + R) / 2 strays from the mid by " + maxDiff);
        assertTrue(differ, "a stereo prime's take is not L = R");
    }

    @Test
    void aDualMonoPrimeGivesADualMonoTake() {
        float[] x = noise(13, 2 * RATE, 0.2);
        StereoImage image = StereoImage.measure(interleave(x, x), 2, RATE);
        assertTrue(image.isDualMono());
        float[] mid = noise(14, RATE, 0.2);
        float[] take = image.render(mid, x);
        for (int i = 0; i < mid.length; i++) {
            assertEquals(mid[i], take[2 * i]);
            assertEquals(mid[i], take[2 * i + 1]);
        }
        assertFalse(StereoImage.measure(panned(0.9, 1, RATE), 2, RATE).isDualMono());
    }

    @Test
    void aMonoPrimeHasNoImage() {
        assertNull(StereoImage.measure(noise(15, RATE, 0), 1, RATE));
        assertThrows(IllegalArgumentException.class, () -> StereoImage.measure(new float[6], 3, RATE));
    }

    @Test
    void anExtensionRenderedAfterTheTakeContinuesTheSameSide() {
        StereoImage image = StereoImage.measure(panned(0.3, 0.8, 2 * RATE), 2, RATE);
        float[] whole = noise(16, 2 * RATE, 0.5);
        int split = RATE + 123;
        float[] all = image.render(whole, new float[0]);
        float[] rest = image.render(java.util.Arrays.copyOfRange(whole, split, whole.length),
                java.util.Arrays.copyOf(whole, split));
        for (int i = 0; i < whole.length - split - RATE / 10; i++) {
            assertEquals(all[2 * (split + i)], rest[2 * i], 1e-5, "sample " + i + " after the seam");
        }
    }
}
