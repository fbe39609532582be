package dev.segue.bridge.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SpectrogramTest {
    @Test
    void fftMatchesTheDefinition() {
        int n = 64;
        Random r = new Random(3);
        double[] re = new double[n];
        double[] im = new double[n];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
            re[i] = x[i];
        }
        new Fft(n).transform(re, im);
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int t = 0; t < n; t++) {
                sr += x[t] * Math.cos(-2 * Math.PI * k * t / n);
                si += x[t] * Math.sin(-2 * Math.PI * k * t / n);
            }
            assertEquals(sr, re[k], 1e-9, "re " + k);
            assertEquals(si, im[k], 1e-9, "im " + k);
        }
    }

    @Test
    void aSineLightsItsOwnBandAtItsLevel() {
        int rate = 48_000;
        float[] s = new float[rate]; // 1 s of 1 kHz at half scale (-6 dB), mono
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / rate));
        }
        Spectrogram sg = Spectrogram.of(s, 1, rate, 64, 96);
        int column = sg.columns() / 2;
        int loudest = 0;
        for (int r = 0; r < sg.rows(); r++) {
            loudest = sg.level(r, column) > sg.level(loudest, column) ? r : loudest;
        }
        double hz = sg.rowHz(loudest);
        assertTrue(hz > 900 && hz < 1100, "the loudest band is at " + hz + " Hz");
        assertEquals(-6.0, sg.level(loudest, column), 1.6, "level of a half-scale sine (Hann scalloping < 1.5 dB)");
        for (int r = 0; r < sg.rows(); r++) {
            if (sg.rowHz(r) > 4000 || sg.rowHz(r) < 250) {
                assertTrue(sg.level(r, column) < -60, "far band " + sg.rowHz(r) + " Hz at " + sg.level(r, column) + " dB");
            }
        }
    }

    @Test
    void peaksKeepTheExtremesOfEverySpan() {
        float[] s = {0, 0.5f, -0.25f, 0, 0.9f, -1f, 0, 0}; // stereo: 4 frames
        Peaks p = Peaks.of(s, 2, 2);
        assertEquals(2, p.buckets());
        assertEquals(-0.25f, p.min()[0]);
        assertEquals(0.5f, p.max()[0]);
        assertEquals(-1f, p.min()[1]);
        assertEquals(0.9f, p.max()[1]);
    }
}
