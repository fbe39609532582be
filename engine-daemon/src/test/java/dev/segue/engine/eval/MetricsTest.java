package dev.segue.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.analysis.Chroma;
import dev.segue.engine.analysis.Fft;
import dev.segue.engine.analysis.TempoEstimator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each metric on synthetic signals whose answer is known: it must score the right case and fail the wrong one. */
class MetricsTest {
    static final int SR = 22050;

    @Test
    void fftMatchesTheDirectTransform() {
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
            assertEquals(sr, re[k], 1e-9);
            assertEquals(si, im[k], 1e-9);
        }
    }

    @Test
    void spectralConvergenceSeparatesIdenticalCloseAndUnrelatedSignals() {
        float[] sine = tones(2.0, 440);
        float[] noise = noise(2.0, 0.3, 9);
        double identical = SpectralConvergence.toDb(SpectralConvergence.ratio(sine, sine.clone(),
                SpectralConvergence.MULTI_RESOLUTION));
        float[] slightlyNoisy = sine.clone();
        float[] small = noise(2.0, 0.003, 4);
        for (int i = 0; i < sine.length; i++) {
            slightlyNoisy[i] += small[i];
        }
        double close = SpectralConvergence.toDb(SpectralConvergence.ratio(sine, slightlyNoisy, SpectralConvergence.JUKEBOX));
        double unrelated = SpectralConvergence.toDb(SpectralConvergence.ratio(sine, noise, SpectralConvergence.JUKEBOX));
        assertTrue(identical < -100, "identical: " + identical);
        assertTrue(close < -20 && close > -60, "sine + 1% noise: " + close);
        assertTrue(unrelated > -3, "noise vs sine: " + unrelated);
        assertThrows(IllegalArgumentException.class,
                () -> SpectralConvergence.ratio(new float[SR], sine, SpectralConvergence.JUKEBOX));
    }

    @Test
    void perplexityCountsCodebookUsage() {
        CodeStatistics uniform = new CodeStatistics(256);
        long[] all = new long[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = i % 256;
        }
        uniform.add(all);
        assertEquals(256, uniform.perplexity(), 1e-6);
        assertEquals(256, uniform.used());
        CodeStatistics oneHot = new CodeStatistics(256);
        oneHot.add(new long[] {7, 7, 7, 7, 7});
        assertEquals(1.0, oneHot.perplexity(), 1e-9);
        CodeStatistics half = new CodeStatistics(256);
        half.add(new long[] {1, 2, 1, 2});
        assertEquals(2.0, half.perplexity(), 1e-9);
    }

    @Test
    void unigramBitsRewardTheRightDistribution() {
        CodeStatistics train = new CodeStatistics(16);
        train.add(new long[] {0, 0, 0, 0, 0, 0, 1, 1});
        long[] likeTraining = {0, 0, 0, 1};
        long[] unlike = {5, 6, 7, 8};
        double good = train.unigramBitsPerToken(likeTraining, 0.5);
        double bad = train.unigramBitsPerToken(unlike, 0.5);
        // p(0) = (6 + 0.5) / (8 + 16 * 0.5), p(1) = (2 + 0.5) / 16
        double expected = -(3 * Math.log(6.5 / 16) + Math.log(2.5 / 16)) / 4 / Math.log(2);
        assertEquals(expected, good, 1e-12);
        assertTrue(good < 4, "beats a uniform model over 16 codes: " + good);
        assertTrue(bad > 4, "unseen codes: " + bad); // worse than the 4 bits of a uniform model over 16
    }

    @Test
    void chromaPrefersTheSameHarmony() {
        double[] cMajorA = Chroma.of(tones(3.0, 261.63, 329.63, 392.00), SR);        // C E G
        double[] cMajorB = Chroma.of(tones(3.0, 130.81, 523.25, 659.25, 783.99), SR); // C E G, other octaves
        double[] fSharp = Chroma.of(tones(3.0, 185.00, 233.08, 277.18), SR);         // F# A# C#
        double same = Chroma.cosine(cMajorA, cMajorB);
        double different = Chroma.cosine(cMajorA, fSharp);
        assertTrue(same > 0.8, "C vs C: " + same);
        assertTrue(different < 0.3, "C vs F#: " + different);
        assertTrue(same > different + 0.5);
        assertTrue(Chroma.correlation(cMajorA, cMajorB) > 0.8);
        assertTrue(Chroma.correlation(cMajorA, fSharp) < 0, "disjoint pitch classes correlate negatively");
    }

    @Test
    void audioWithoutPitchIsFlaggedAndScoresNoChromaAgreement() {
        float[] dc = new float[3 * SR];
        java.util.Arrays.fill(dc, 0.2f);
        Coherence.Features flat = Coherence.Features.of(dc, SR);
        Coherence.Features chord = Coherence.Features.of(tones(3.0, 261.63, 329.63, 392.00), SR);
        assertTrue(flat.pitchless());
        assertFalse(chord.pitchless());
        assertEquals(0.0, Chroma.correlation(flat.chroma(), chord.chroma()));
    }

    @Test
    void harmonicMotionSeparatesAHeldChordFromChordChanges() {
        float[] held = tones(4.0, 261.63, 329.63, 392.00);
        // C major and F# major (no shared pitch class) alternating every second.
        float[] c = tones(1.0, 261.63, 329.63, 392.00);
        float[] fSharp = tones(1.0, 369.99, 466.16, 554.37);
        float[] changing = new float[4 * SR];
        for (int s = 0; s < 4; s++) {
            System.arraycopy(s % 2 == 0 ? c : fSharp, 0, changing, s * SR, SR);
        }
        double still = Chroma.motion(held, SR, 1.0);
        double moving = Chroma.motion(changing, SR, 1.0);
        assertTrue(still < 0.01, "a held chord moves " + still);
        assertTrue(moving > 0.2, "alternating disjoint chords move " + moving);
        assertTrue(Double.isNaN(Chroma.motion(new float[4 * SR], SR, 1.0)), "silence has no pitch to move");
        assertTrue(Double.isNaN(Chroma.motion(tones(0.5, 440), SR, 1.0)), "no whole segment");
        assertThrows(IllegalArgumentException.class, () -> Chroma.motion(held, SR, 0.01));
        assertEquals(moving, Coherence.Features.of(changing, SR).motion(), 1e-12);
        assertEquals(0.5 * (still + moving), Coherence.meanMotion(List.of(Coherence.Features.of(held, SR),
                Coherence.Features.of(changing, SR), new Coherence.Features(new double[12], null, 120))), 1e-12);
    }

    @Test
    void keyEstimateFindsTheTonicOfAScale() {
        // A major scale played as notes in sequence, tonic and fifth held longer.
        double[] aMajor = {440.00, 493.88, 554.37, 587.33, 659.25, 739.99, 830.61, 440.00, 659.25, 440.00};
        float[] audio = melody(aMajor, 0.4);
        Chroma.EstimatedKey key = Chroma.key(Chroma.of(audio, SR));
        assertEquals(9, key.tonic(), "tonic of " + key);
        assertTrue(key.major());
        double[] cMinor = {261.63, 293.66, 311.13, 349.23, 392.00, 415.30, 466.16, 261.63, 392.00, 261.63, 311.13};
        Chroma.EstimatedKey minor = Chroma.key(Chroma.of(melody(cMinor, 0.4), SR));
        assertEquals(0, minor.tonic(), "tonic of " + minor);
        assertFalse(minor.major());
    }

    @Test
    void tempoOfClickTracksWithinTwoPercent() {
        for (double bpm : new double[] {90, 120, 150}) {
            double estimate = TempoEstimator.estimateBpm(clicks(bpm, 10.0), SR);
            assertTrue(Math.abs(estimate - bpm) / bpm < 0.02, bpm + " BPM estimated as " + estimate);
        }
    }

    @Test
    void tempoAgreementAllowsOctavesButNotOtherRatios() {
        assertTrue(TempoEstimator.agree(120, 121, 0.04));
        assertTrue(TempoEstimator.agree(120, 60.5, 0.04));
        assertTrue(TempoEstimator.agree(90, 180, 0.04));
        assertFalse(TempoEstimator.agree(120, 90, 0.04));
        assertFalse(TempoEstimator.agree(120, 135, 0.04));
        assertFalse(TempoEstimator.agree(120, 30, 0.04));
        // Two click tracks 120 vs 100 BPM: estimated tempi must disagree.
        double a = TempoEstimator.estimateBpm(clicks(120, 8.0), SR);
        double b = TempoEstimator.estimateBpm(clicks(100, 8.0), SR);
        assertFalse(TempoEstimator.agree(a, b, 0.04), a + " vs " + b);
    }

    @Test
    void continuationsAreReadAgainstTheComposedTempoAndKey() {
        Chroma.EstimatedKey cMajor = new Chroma.EstimatedKey(0, true, 1);
        Chroma.EstimatedKey aMinor = new Chroma.EstimatedKey(9, false, 1);
        Chroma.EstimatedKey dMajor = new Chroma.EstimatedKey(2, true, 1);
        double[] chroma = new double[12];
        List<Coherence.Features> takes = List.of(
                new Coherence.Features(chroma, cMajor, 121),  // clip 0: 120 BPM, C major: both right
                new Coherence.Features(chroma, dMajor, 75),   // clip 1: 100 BPM, A minor: both wrong
                new Coherence.Features(chroma, aMinor, 180)); // clip 2: 90 BPM, A minor: tempo doubled, key right
        Coherence.Composed c = Coherence.againstComposed(takes, new double[] {120, 100, 90},
                List.of(cMajor, aMinor, aMinor));
        assertEquals(2 / 3.0, c.tempoMatched(), 1e-9);
        assertEquals(2 / 3.0, c.keyMatched(), 1e-9);
        // Shuffled: clip 0 against take 1 (75 vs 120: no; D vs C: no), clip 1 against take 2 (180 vs 100: no;
        // A minor: yes), clip 2 against take 0 (121 vs 90: no; C major vs A minor: no).
        assertEquals(0.0, c.tempoShuffled(), 1e-9);
        assertEquals(1 / 3.0, c.keyShuffled(), 1e-9);
        assertThrows(IllegalArgumentException.class,
                () -> Coherence.againstComposed(takes, new double[] {120, 100}, List.of(cMajor, aMinor, aMinor)));
    }

    @Test
    void beatsArePlacedOnTheComposedGridOrNot() {
        // A piece at 100 BPM (a beat every 0.6 s) cut 1.0 s in: its beats fall 0.2 s into the clip.
        float[] onGrid = delayed(clicks(100, 6.0), 0.2);
        assertTrue(ModelEvaluation.beatsPlaced(onGrid, SR, 100, 1.0));
        assertFalse(ModelEvaluation.beatsPlaced(delayed(clicks(100, 6.0), 0.45), SR, 100, 1.0), "off the grid");
        assertFalse(ModelEvaluation.beatsPlaced(onGrid, SR, 75, 1.0), "another tempo");
        assertFalse(ModelEvaluation.beatsPlaced(java.util.Arrays.copyOf(onGrid, SR), SR, 100, 1.0), "too short");
    }

    private static float[] delayed(float[] x, double seconds) {
        float[] out = new float[x.length];
        int d = (int) Math.round(seconds * SR);
        System.arraycopy(x, 0, out, d, x.length - d);
        return out;
    }

    @Test
    void tempoRefusesAudioTooShortToHoldTwoBeats() {
        assertThrows(IllegalArgumentException.class, () -> TempoEstimator.estimateBpm(new float[SR], SR));
    }

    // ---- signals ----

    static float[] tones(double seconds, double... hz) {
        float[] x = new float[(int) (seconds * SR)];
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (double f : hz) {
                s += Math.sin(2 * Math.PI * f * i / SR);
            }
            x[i] = (float) (0.3 * s / hz.length);
        }
        return x;
    }

    static float[] noise(double seconds, double amplitude, long seed) {
        Random r = new Random(seed);
        float[] x = new float[(int) (seconds * SR)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * r.nextGaussian());
        }
        return x;
    }

    static float[] melody(double[] hz, double noteSeconds) {
        int len = (int) (noteSeconds * SR);
        float[] x = new float[len * hz.length];
        for (int n = 0; n < hz.length; n++) {
            for (int i = 0; i < len; i++) {
                double env = Math.min(1, i / 200.0) * Math.exp(-2.0 * i / SR);
                x[n * len + i] = (float) (0.3 * env * (Math.sin(2 * Math.PI * hz[n] * i / SR)
                        + 0.3 * Math.sin(4 * Math.PI * hz[n] * i / SR)));
            }
        }
        return x;
    }

    /** 10 ms decaying noise bursts on every beat, like a metronome. */
    static float[] clicks(double bpm, double seconds) {
        float[] x = new float[(int) (seconds * SR)];
        Random r = new Random(1);
        double period = 60 / bpm * SR;
        for (int beat = 0; beat * period < x.length; beat++) {
            int start = (int) Math.round(beat * period);
            for (int i = 0; i < SR / 100 && start + i < x.length; i++) {
                x[start + i] += (float) (0.5 * r.nextGaussian() * Math.exp(-i / (SR / 400.0)));
            }
        }
        return x;
    }
}
