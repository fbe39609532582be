package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A song's grid as a prior with a fixed beat hears it: folded within half an octave, the bars kept. */
class TempoWarpTest {
    private static final double MODEL = TempoWarp.modelBpm(16000, 128, 64);

    @Test
    void theDefaultPriorsBeatIsOneBlockOf64Codes() {
        assertEquals(117.1875, MODEL, 1e-12);
        assertEquals(1.0, TempoWarp.of(MODEL, MODEL).ratio(), 1e-15);
    }

    @Test
    void everyTempoIsStretchedByNoMoreThanAHalfOctave() {
        for (double bpm = 20; bpm <= 400; bpm += 0.37) {
            TempoWarp w = TempoWarp.of(bpm, MODEL);
            assertTrue(w.ratio() >= 1 / Math.sqrt(2) - 1e-12 && w.ratio() < Math.sqrt(2) + 1e-12, bpm + ": " + w);
            double octaves = Math.log(w.ratio() * MODEL / bpm) / Math.log(2);
            assertEquals(Math.rint(octaves), octaves, 1e-9, "folded by whole octaves at " + bpm);
        }
        assertEquals(160 / MODEL, TempoWarp.of(80, MODEL).ratio(), 1e-12, "80 BPM is heard as 160 BPM eighths");
        assertEquals(140 / MODEL, TempoWarp.of(140, MODEL).ratio(), 1e-12);
    }

    @Test
    void theWarpedGridKeepsEveryBarAtTheStretchedTime() {
        for (double bpm : new double[] {61, 80, 93, 117.1875, 140, 171, 250}) {
            PrimeTraits.Grid grid = PrimeTraits.Grid.ofBars(bpm, 7, 8, 3.3);
            TempoWarp w = TempoWarp.of(bpm, MODEL);
            PrimeTraits song = PrimeTraits.fromGrid(grid, 0, new float[0], 16000);
            PrimeTraits heard = PrimeTraits.fromGrid(w.modelGrid(grid), 0, new float[0], 16000);
            assertEquals(MODEL, heard.bpm(), 1e-9, "the prior's clock runs at its own tempo for " + bpm);
            for (double t = 0; t < 30; t += 0.731) {
                double a = song.barPhaseAt(t);
                double b = heard.barPhaseAt(t * w.ratio());
                double d = Math.abs(a - b);
                assertTrue(Math.min(d, 1 - d) < 1e-9, bpm + " BPM at " + t + " s: bar phase " + a + " vs " + b);
            }
        }
    }

    @Test
    void lengthsRoundUpAndAudioComesBackAtTheAskedLength() {
        TempoWarp w = TempoWarp.of(93, MODEL);
        assertEquals((long) Math.ceil(16000 * w.ratio()), w.modelFrames(16000));
        float[] x = new float[16000];
        float[] heard = w.toModel(x, 16000, () -> { });
        assertEquals(Math.round(16000 * w.ratio()), heard.length);
        assertEquals(12345, w.fromModel(heard, 12345, 16000, () -> { }).length);
        assertThrows(IllegalArgumentException.class, () -> new TempoWarp(93, MODEL, 2.0));
    }
}
