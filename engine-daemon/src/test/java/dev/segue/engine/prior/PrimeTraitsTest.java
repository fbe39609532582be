package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The beat clock's features: periodic in the beat and the bar, silent without a tempo, and measured from audio. */
class PrimeTraitsTest {
    private static final int SR = 16000;
    private static final int F = PrimeTraits.FEATURES;

    private static double[] cMajorChroma() {
        double[] c = new double[12];
        c[0] = 0.7;
        c[4] = 0.5;
        c[7] = 0.5;
        return c;
    }

    private static float[] row(float[] all, int i) {
        return Arrays.copyOfRange(all, i * F, (i + 1) * F);
    }

    @Test
    void positionsABeatApartShareTheBeatPhaseAndFourBeatsApartShareTheBarPhase() {
        PrimeTraits t = new PrimeTraits(100, 0.2, cMajorChroma());
        double step = 0.0125; // 60/100 s per beat = 48 steps
        float[] f = new float[200 * F];
        t.features(0.3, step, 200, f);
        float[] p0 = row(f, 5);
        float[] beatLater = row(f, 5 + 48);
        float[] barLater = row(f, 5 + 192);
        for (int k = 0; k < 6; k++) {
            assertEquals(p0[k], beatLater[k], 1e-4, "beat harmonic feature " + k);
        }
        assertTrue(Math.abs(p0[6] - beatLater[6]) + Math.abs(p0[7] - beatLater[7]) > 0.5,
                "a beat later is a quarter bar later");
        for (int k = 0; k < F; k++) {
            assertEquals(p0[k], barLater[k], 1e-4, "a bar later, feature " + k);
        }
        float[] half = row(f, 5 + 24);
        assertEquals(-p0[1], half[1], 1e-4, "half a beat later the beat phase is opposite");
    }

    @Test
    void theFirstBeatIsPhaseZero() {
        PrimeTraits t = new PrimeTraits(120, 0.2, cMajorChroma());
        float[] f = new float[100 * F];
        t.features(0, 0.01, 100, f);
        for (int beat : new int[] {20, 70}) { // 0.2 s and one beat (0.5 s) later
            float[] r = row(f, beat);
            for (int k = 0; k < 6; k += 2) {
                assertEquals(0f, r[k], 1e-4, "sine of beat harmonic " + k / 2 + " at position " + beat);
                assertEquals(1f, r[k + 1], 1e-4, "cosine of beat harmonic " + k / 2 + " at position " + beat);
            }
        }
        assertEquals(-1f, row(f, 45)[1], 1e-4, "half a beat after the first, the beat cosine is -1");
    }

    @Test
    void aWindowStartingLaterReadsTheSameClockAtTheSamePosition() {
        PrimeTraits t = new PrimeTraits(123.4, 0.05, cMajorChroma());
        float[] whole = new float[300 * F];
        float[] shifted = new float[100 * F];
        t.features(0, 0.008, 300, whole);
        t.features(200 * 0.008, 0.008, 100, shifted);
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(row(whole, 200 + i), row(shifted, i), 1e-4f, "position " + (200 + i));
        }
    }

    @Test
    void unknownTempoSilencesTheClockButKeepsThePitch() {
        float[] f = new float[10 * F];
        new PrimeTraits(Double.NaN, Double.NaN, cMajorChroma()).features(1.0, 0.008, 10, f);
        for (int i = 0; i < 10; i++) {
            float[] r = row(f, i);
            for (int k = 0; k < F - 12; k++) {
                assertEquals(0f, r[k], "clock feature " + k);
            }
            double norm = 0;
            double sum = 0;
            for (int k = F - 12; k < F; k++) {
                norm += r[k] * r[k];
                sum += r[k];
            }
            assertEquals(1.0, norm, 1e-5, "centred chroma has unit length");
            assertEquals(0.0, sum, 1e-5, "and zero mean");
            assertTrue(r[F - 12] > r[F - 11], "C stands out over C#");
        }
        float[] none = new float[F];
        PrimeTraits.UNKNOWN.features(0, 0.008, 1, none);
        assertArrayEquals(new float[F], none, "nothing known: all zero");
    }

    @Test
    void measuresTempoAndPitchFromAudio() {
        float[] audio = new float[8 * SR];
        Random r = new Random(3);
        double period = 60.0 / 96 * SR;
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) (0.2 * Math.sin(2 * Math.PI * 440 * i / SR) + 0.2 * Math.sin(2 * Math.PI * 554.37 * i / SR));
        }
        int first = (int) (0.2 * SR); // the first click 0.2 s in
        for (int beat = 0; first + beat * period < audio.length; beat++) {
            int start = first + (int) Math.round(beat * period);
            for (int i = 0; i < SR / 100 && start + i < audio.length; i++) {
                audio[start + i] += (float) (0.8 * r.nextGaussian() * Math.exp(-i / (SR / 400.0)));
            }
        }
        PrimeTraits t = PrimeTraits.measure(audio, SR);
        double ratio = t.bpm() / 96;
        assertTrue(Math.abs(ratio - 1) < 0.02 || Math.abs(ratio - 2) < 0.04 || Math.abs(ratio - 0.5) < 0.01,
                "tempo " + t.bpm() + " for 96 BPM clicks");
        assertEquals(0.2, t.firstBeatSeconds(), 0.015, "the beats fall where the clicks are");
        double[] c = t.chroma();
        int loudest = 0;
        for (int k = 1; k < 12; k++) {
            loudest = c[k] > c[loudest] ? k : loudest;
        }
        assertTrue(loudest == 9 || loudest == 1, "A (9) or C# (1) leads, got " + loudest);
        PrimeTraits shortOne = PrimeTraits.measure(Arrays.copyOf(audio, SR), SR);
        assertTrue(Double.isNaN(shortOne.bpm()), "one second holds no tempo");
        PrimeTraits tiny = PrimeTraits.measure(new float[100], SR);
        assertArrayEquals(new double[12], tiny.chroma(), "too short for chroma: no pitch");
    }

    @Test
    void rejectsTraitsNoMeasurementGives() {
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(0, 0, new double[12]));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(Double.POSITIVE_INFINITY, 0, new double[12]));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0.6, new double[12]), "past one beat");
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, -0.1, new double[12]));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, Double.NaN, new double[12]));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(Double.NaN, 0.1, new double[12]));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0, new double[11]));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0, null));
        double[] bad = new double[12];
        bad[3] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0, bad));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0, new double[12]).at(Double.NaN));
    }

    /** The protocol's bars-to-seconds formula, turned round: the DAW's bar position {@code seconds} into the prime. */
    private static double dawBar(double startBar, double seconds, double bpm, int num, int den) {
        return startBar + seconds / (1 * 240.0 * num / (den * bpm));
    }

    private static double frac(double x) {
        return x - Math.floor(x);
    }

    /** Phases as distance on the circle, so 0.999 and 0.001 are close. */
    private static void assertPhase(double expected, double actual, String what) {
        double d = Math.abs(expected - actual);
        assertTrue(Math.min(d, 1 - d) < 1e-6, what + ": expected phase " + expected + ", got " + actual);
    }

    @Test
    void theGridsPhaseAtTheSeamAndInALaterWindowIsTheBarsFormulas() {
        // A 3/4 grid at 90 BPM, the prime starting a quarter into bar 6 (5.25, 0-based), 7.3 s long; the
        // pipeline's cut prime (the clock's origin) starts 0.123 s into it.
        double bpm = 90;
        double startBar = 5.25;
        double cut = 0.123;
        PrimeTraits.Grid grid = PrimeTraits.Grid.ofBars(bpm, 3, 4, startBar);
        PrimeTraits t = PrimeTraits.fromGrid(grid.bpm(), grid.beatsPerBar(), grid.originBeats() + cut * bpm / 60,
                cMajorChroma());
        assertEquals(90, t.bpm(), 1e-12, "90 BPM is inside the clock's range: kept");
        assertEquals(3, t.beatsPerBar(), 1e-12, "a 3/4 bar, not four beats");
        double seam = 7.3 - cut;
        double bar = dawBar(startBar, 7.3, bpm, 3, 4);
        assertPhase(frac(bar), t.barPhaseAt(seam), "bar phase at the seam");
        assertPhase(frac(bar * 3), t.beatPhaseAt(seam), "beat phase at the seam");
        // The second top-level window of a 16 kHz prior with hop 128 and 384 new tokens per window.
        double spp = 128 / 16000.0;
        double windowStart = 384 * spp;
        float[] f = new float[64 * F];
        t.features(windowStart, spp, 64, f);
        for (int i : new int[] {0, 17, 63}) {
            double b = dawBar(startBar, cut + windowStart + i * spp, bpm, 3, 4);
            float[] r = row(f, i);
            assertEquals(Math.cos(2 * Math.PI * frac(b)), r[7], 1e-5, "bar cosine at position " + i);
            assertEquals(Math.sin(2 * Math.PI * frac(b)), r[6], 1e-5, "bar sine at position " + i);
            assertEquals(Math.cos(2 * Math.PI * frac(3 * b)), r[1], 1e-5, "beat cosine at position " + i);
        }
        assertPhase(0, t.barPhaseAt((6 - startBar) * 2.0 - cut), "the next downbeat is the bar's phase 0");
    }

    @Test
    void aGridOutsideTheClocksRangeIsFoldedByOctavesAndKeepsTheDawsBar() {
        // 60 BPM in 4/4: the clock ticks eighths at 120, eight to the DAW's bar.
        PrimeTraits slow = PrimeTraits.fromGrid(60, 4, 0.5, new double[12]);
        assertEquals(120, slow.bpm(), 1e-12);
        assertEquals(8, slow.beatsPerBar(), 1e-12);
        for (double s : new double[] {0, 0.25, 1.7, 13.01}) {
            double quarter = 0.5 + s; // one quarter note per second
            assertPhase(frac(quarter / 4), slow.barPhaseAt(s), "bar phase at " + s + " s");
            assertPhase(frac(2 * quarter), slow.beatPhaseAt(s), "beat phase at " + s + " s");
        }
        // 200 BPM in 7/8: 100 BPM, a bar of 1.75 clock beats.
        PrimeTraits fast = PrimeTraits.fromGrid(200, 3.5, 10.25, new double[12]);
        assertEquals(100, fast.bpm(), 1e-12);
        for (double s : new double[] {0, 0.3, 2.2}) {
            double quarter = 10.25 + s * 200 / 60;
            assertPhase(frac(quarter / 3.5), fast.barPhaseAt(s), "7/8 bar phase at " + s + " s");
        }
        for (double b : new double[] {80, 120, 160}) {
            assertEquals(b, PrimeTraits.fromGrid(b, 4, 0, new double[12]).bpm(), 1e-12, "inside the range: " + b);
        }
        assertThrows(IllegalArgumentException.class, () -> PrimeTraits.fromGrid(500, 4, 0, new double[12]));
        PrimeTraits.Grid longest = PrimeTraits.Grid.ofBars(20, 32, 1, 0.5); // the protocol's slowest, longest bar
        assertEquals(512, PrimeTraits.fromGrid(longest, 0, new float[0], 16000).beatsPerBar(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PrimeTraits.Grid.ofBars(120, 4, 4, Double.NaN));
        assertEquals(0, PrimeTraits.Grid.ofBars(120, 4, 4, 1e300).originBeats(), 1e-12, "a huge bar number is a downbeat");
        assertEquals(1.5, PrimeTraits.Grid.ofBars(120, 3, 4, 12.5).originBeats(), 1e-12, "half a 3/4 bar in");
    }

    @Test
    void onAGridPhaseZeroIsADownbeatAndTheFirstBeatLiesWithinABeat() {
        for (double origin : new double[] {0, 1e-12, 3.9999999999, 4.0000000001, 2.5, 7}) {
            PrimeTraits t = PrimeTraits.fromGrid(120, 4, origin, new double[12]);
            assertTrue(t.firstBeatSeconds() >= 0 && t.firstBeatSeconds() < 0.5, "first beat at origin " + origin);
            double toDownbeat = (4 - frac(origin / 4) * 4) * 0.5; // seconds to the next downbeat
            assertPhase(0, t.barPhaseAt(toDownbeat), "downbeat after origin " + origin);
            assertPhase(0, t.beatPhaseAt(toDownbeat), "a downbeat is a beat, origin " + origin);
        }
    }

    @Test
    void measuredTraitsKeepTheFourBeatBarFromTheFirstBeat() {
        PrimeTraits t = new PrimeTraits(100, 0.2, cMajorChroma());
        assertEquals(4, t.beatsPerBar());
        assertEquals(0, t.firstBeatInBar());
        assertPhase(0, t.barPhaseAt(0.2), "the first measured beat starts a bar");
        assertPhase(0.25, t.barPhaseAt(0.8), "a beat later is a quarter bar on");
        assertTrue(Double.isNaN(t.withoutTempo().beatPhaseAt(1)), "no tempo, no phase");
        assertEquals(3, PrimeTraits.fromGrid(120, 3, 1, cMajorChroma()).withoutChroma().beatsPerBar(), 1e-12,
                "dropping the pitch keeps the bar");
    }

    /**
     * Measuring a prime checks for a cancel as it goes (the STFTs of the tempo and the chroma), so a cancel
     * stops it part way: the traits are the same with the check, and a check that throws ends the measuring.
     */
    @Test
    void measuringChecksForCancelAndStops() {
        int rate = 16000;
        float[] audio = new float[8 * rate];
        Random random = new Random(4);
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) (0.3 * Math.sin(2 * Math.PI * 261.63 * i / rate) * (i % (rate / 2) < 800 ? 1 : 0.2)
                    + 0.01 * random.nextGaussian());
        }
        int[] calls = {0};
        PrimeTraits checked = PrimeTraits.measure(audio, rate, () -> calls[0]++);
        assertTrue(calls[0] >= 8, "checks while measuring 8 s: " + calls[0]);
        PrimeTraits plain = PrimeTraits.measure(audio, rate);
        assertEquals(plain.bpm(), checked.bpm(), 0);
        assertArrayEquals(plain.chroma(), checked.chroma(), 0);
        int[] before = {0};
        assertThrows(IllegalStateException.class, () -> PrimeTraits.measure(audio, rate, () -> {
            if (++before[0] == 2) {
                throw new IllegalStateException("cancelled");
            }
        }));
        assertEquals(2, before[0]);
        int[] grid = {0};
        PrimeTraits.fromGrid(new PrimeTraits.Grid(120, 4, 0), 0, audio, rate, () -> grid[0]++);
        assertTrue(grid[0] >= 2, "the chroma of a grid's traits checks too: " + grid[0]);
    }
}
