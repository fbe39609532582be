package dev.segue.engine.prior;

import dev.segue.engine.analysis.Chroma;
import dev.segue.engine.analysis.TempoEstimator;
import java.util.Arrays;

/**
 * What a beat-clocked top prior hears of its prime besides the codes: the beat grid (tempo, and where the
 * first beat falls after the measured audio's start) and the pitch-class profile, measured from audio by
 * the same estimators at training time (on the audio at the head of each training window) and at
 * sampling time (on the prime). A small prior barely uses codes more than half a second back, so a 16 s
 * take drifts off its prime's pulse and pitch set; told both, it need not infer them from the codes, and
 * with the beats placed, "an onset on the beat" is something it can learn directly. {@code bpm} and
 * {@code firstBeatSeconds} are NaN when the audio is too short for a tempo (the clock is then silent); a
 * {@code chroma} of zeros means no pitched content.
 */
public record PrimeTraits(double bpm, double firstBeatSeconds, double[] chroma) {
    /** Features per position: beat-phase harmonics, bar-phase harmonics, log tempo, centred chroma. */
    public static final int FEATURES = 23;
    /** Harmonics of the beat phase: the beat, its eighths and sixteenths. */
    private static final int[] BEAT_HARMONICS = {1, 2, 4};
    /** Harmonics of the phase of a four-beat bar, counted from the first beat (the downbeat is not known). */
    private static final int[] BAR_HARMONICS = {1, 2};
    private static final int CHROMA_AT = 2 * (BEAT_HARMONICS.length + BAR_HARMONICS.length) + 1;

    /** No tempo and no pitch: what the prior is trained to see for a prime it learns nothing from. */
    public static final PrimeTraits UNKNOWN = new PrimeTraits(Double.NaN, Double.NaN, new double[12]);

    public PrimeTraits {
        if (!Double.isNaN(bpm) && !(bpm >= 20 && bpm <= 400)) {
            throw new IllegalArgumentException("tempo " + bpm + " BPM outside 20..400");
        }
        if (Double.isNaN(bpm) != Double.isNaN(firstBeatSeconds)
                || (!Double.isNaN(bpm) && !(firstBeatSeconds >= 0 && firstBeatSeconds < 60 / bpm + 1e-9))) {
            throw new IllegalArgumentException("first beat " + firstBeatSeconds + " s must lie within one beat of "
                    + bpm + " BPM (both NaN when there is no tempo)");
        }
        if (chroma == null || chroma.length != 12) {
            throw new IllegalArgumentException("chroma must have 12 pitch classes");
        }
        for (double c : chroma) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("chroma values must be finite");
            }
        }
        chroma = chroma.clone();
    }

    @Override
    public double[] chroma() {
        return chroma.clone();
    }

    /** Beat grid and chroma of {@code audio} (mono); a tempo needs {@link TempoEstimator#minSeconds()} of it. */
    public static PrimeTraits measure(float[] audio, int sampleRate) {
        TempoEstimator.Beat beat = audio.length >= TempoEstimator.minSeconds() * sampleRate
                ? TempoEstimator.estimateBeat(audio, sampleRate) : null;
        double[] chroma = audio.length > Chroma.minSamples(sampleRate) ? Chroma.of(audio, sampleRate) : new double[12];
        return beat == null ? new PrimeTraits(Double.NaN, Double.NaN, chroma)
                : new PrimeTraits(beat.bpm(), beat.firstBeatSeconds(), chroma);
    }

    /** The same traits without the beat grid, or without the pitch: for conditioning dropout in training. */
    public PrimeTraits withoutTempo() {
        return new PrimeTraits(Double.NaN, Double.NaN, chroma);
    }

    public PrimeTraits withoutChroma() {
        return new PrimeTraits(bpm, firstBeatSeconds, new double[12]);
    }

    /** Whether any pitch class was heard: a chroma of zeros says nothing about pitch. */
    public boolean hasPitch() {
        for (double c : chroma) {
            if (c != 0) {
                return true;
            }
        }
        return false;
    }

    /** These traits for a window whose position 0 lies {@code startSeconds} after the clock's origin. */
    public At at(double startSeconds) {
        return new At(this, startSeconds);
    }

    /** Traits placed on the timeline of one window. */
    public record At(PrimeTraits traits, double startSeconds) {
        public At {
            if (traits == null || !Double.isFinite(startSeconds)) {
                throw new IllegalArgumentException("traits and a finite window start are required");
            }
        }
    }

    /**
     * Features of positions {@code 0..n-1} of a window starting at {@code startSeconds}, one position every
     * {@code secondsPerPosition}, written row after row into {@code out} (n * {@link #FEATURES}).
     */
    void features(double startSeconds, double secondsPerPosition, int n, float[] out) {
        double[] centred = centredChroma();
        for (int i = 0; i < n; i++) {
            int o = i * FEATURES;
            if (!Double.isNaN(bpm)) {
                double beats = (startSeconds + i * secondsPerPosition - firstBeatSeconds) * bpm / 60;
                int f = o;
                for (int h : BEAT_HARMONICS) {
                    double a = 2 * Math.PI * h * frac(beats);
                    out[f++] = (float) Math.sin(a);
                    out[f++] = (float) Math.cos(a);
                }
                for (int h : BAR_HARMONICS) {
                    double a = 2 * Math.PI * h * frac(beats / 4);
                    out[f++] = (float) Math.sin(a);
                    out[f++] = (float) Math.cos(a);
                }
                out[f] = (float) (Math.log(bpm / 120) / Math.log(2));
            } else {
                Arrays.fill(out, o, o + CHROMA_AT, 0f);
            }
            for (int k = 0; k < 12; k++) {
                out[o + CHROMA_AT + k] = (float) centred[k];
            }
        }
    }

    /** Chroma about its mean, scaled to unit length: which pitch classes stand out, not how tonal it is. */
    private double[] centredChroma() {
        double mean = Arrays.stream(chroma).sum() / 12;
        double[] c = new double[12];
        double norm = 0;
        for (int k = 0; k < 12; k++) {
            c[k] = chroma[k] - mean;
            norm += c[k] * c[k];
        }
        norm = Math.sqrt(norm);
        for (int k = 0; k < 12; k++) {
            c[k] = norm > 1e-9 ? c[k] / norm : 0;
        }
        return c;
    }

    /** Fraction of a turn, kept in [0, 1) and computed in double so long windows keep their phase. */
    private static double frac(double x) {
        return x - Math.floor(x);
    }
}
