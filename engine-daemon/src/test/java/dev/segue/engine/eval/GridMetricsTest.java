package dev.segue.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.audio.StereoImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The grid and stereo rows of the eval, on signals whose answer is known. */
class GridMetricsTest {
    private static final int SR = 16000;

    /** Short decaying noise bursts at {@code first + k * 60 / bpm}. */
    private static float[] clicks(double bpm, double first, double seconds) {
        float[] x = new float[(int) (seconds * SR)];
        Random r = new Random(3);
        for (double t = first; t < seconds; t += 60 / bpm) {
            int at = (int) Math.round(t * SR);
            for (int i = 0; i < 400 && at + i < x.length; i++) {
                x[at + i] += (float) (r.nextGaussian() * 0.5 * Math.exp(-i / 60.0));
            }
        }
        return x;
    }

    @Test
    void onsetsOnTheGridScoreHighAndOffItLow() {
        float[] onBeat = clicks(120, 0.2, 8);
        double on = GridOnsets.share(onBeat, SR, 120, 0.2);
        assertTrue(on > 0.85, "clicks on the grid: " + on);
        assertEquals(on, GridOnsets.share(onBeat, SR, 120, 0.2 - 7 * 0.5), 1e-9, "any beat of the grid names it");
        double half = GridOnsets.share(onBeat, SR, 120, 0.45);
        assertTrue(half < 0.1, "half a beat off: " + half);
        double other = GridOnsets.share(onBeat, SR, 100, 0.2);
        assertTrue(other < 0.45, "another tempo: " + other);
        Random r = new Random(4);
        float[] noise = new float[8 * SR];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (r.nextGaussian() * 0.1 * (1 + Math.sin(i * 0.0007)));
        }
        double chance = GridOnsets.share(noise, SR, 120, 0.2);
        assertTrue(chance > 0.04 && chance < 0.25, "no rhythm: about 60 ms / 500 ms = 0.12, got " + chance);
        assertTrue(Double.isNaN(GridOnsets.share(new float[SR], SR, 120, 0)), "silence has no onsets");
        assertThrows(IllegalArgumentException.class, () -> GridOnsets.share(onBeat, SR, 0, 0));
    }

    /** Clicks three eighths of a beat after the grid's beats: the share by lag peaks there and nowhere else. */
    @Test
    void onsetsAtAConstantLagPeakAtThatLag() {
        float[] late = clicks(120, 0.2 + 3 * 0.5 / 8, 8);
        double[] byLag = GridOnsets.byLag(late, SR, 120, 0.2, 8);
        assertEquals(8, byLag.length);
        assertEquals(GridOnsets.share(late, SR, 120, 0.2), byLag[0], 1e-12, "lag 0 is the grid itself");
        assertTrue(byLag[3] > 0.85, "at the clicks' lag: " + byLag[3]);
        for (int l = 0; l < 8; l++) {
            if (l != 3) {
                assertTrue(byLag[l] < 0.2, "lag " + l + "/8: " + byLag[l]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> GridOnsets.byLag(late, SR, 120, 0.2, 0));
    }

    /**
     * Two clips, each rendered three ways: clicks at the DAW's tempo on its beats, the same clicks half a beat
     * late, and clicks at another tempo. The rows read each rendering apart, in the order the names were given.
     */
    @Test
    void tierRowsReadEachRenderingOnTheDawsGrid() {
        TierRows rows = new TierRows(java.util.List.of("on the grid", "half a beat late", "another tempo"));
        double[] bpms = {120, 96};
        dev.segue.engine.analysis.Chroma.EstimatedKey key = new dev.segue.engine.analysis.Chroma.EstimatedKey(0, true, 1);
        assertEquals(0, rows.rows().size(), "no rows before two clips");
        for (double bpm : bpms) {
            double beat = 0.2;
            rows.add(java.util.List.of(clicks(bpm, beat, 8), clicks(bpm, beat + 30 / bpm, 8), clicks(bpm * 1.3, beat, 8)),
                    SR, bpm, beat, key);
        }
        java.util.List<TierRows.Row> r = rows.rows();
        assertEquals(3, r.size());
        assertEquals("on the grid", r.get(0).what());
        assertEquals(2, r.get(0).clips());
        assertEquals(1.0, r.get(0).tempo(), 1e-12, "clicks at the DAW's tempo");
        assertTrue(r.get(0).onsets() > 0.85, "on the grid: " + r.get(0));
        assertEquals(1.0, r.get(1).tempo(), 1e-12, "half a beat late is still the DAW's tempo");
        assertTrue(r.get(1).onsets() < 0.1, "half a beat late: " + r.get(1));
        assertEquals(0.0, r.get(2).tempo(), 1e-12, "another tempo: " + r.get(2));
        assertEquals(0.0, r.get(0).key(), 1e-12, "unpitched clicks have no key");
        assertThrows(IllegalArgumentException.class, () -> rows.add(java.util.List.of(new float[SR]), SR, 120, 0, key),
                "one rendering per name");
    }

    @Test
    void stereoAgreementComparesBandsThatCarryEnergy() {
        double[] primeCorr = {0.5, 0.9, 0.2, 0.0};
        double[] takeCorr = {0.6, 0.5, 0.2, -0.9};
        double[] energy = {1, 1, 1, 1e-6}; // the last band is nearly empty: left out
        StereoAgreement.Agreement a = StereoAgreement.of(new StereoImage.Bands(primeCorr, new double[4], energy),
                new StereoImage.Bands(takeCorr, new double[4], energy));
        assertEquals(3, a.bands());
        assertEquals((0.1 + 0.4 + 0) / 3, a.meanAbsDifference(), 1e-12);
        assertEquals(2 / 3.0, a.shareWithin(), 1e-12);
        StereoAgreement.Agreement none = StereoAgreement.of(new StereoImage.Bands(primeCorr, new double[4], new double[4]),
                new StereoImage.Bands(takeCorr, new double[4], energy));
        assertEquals(0, none.bands());
        assertTrue(Double.isNaN(none.meanAbsDifference()));
    }
}
