package dev.segue.engine.eval;

import dev.segue.engine.analysis.Chroma;
import dev.segue.engine.analysis.TempoEstimator;
import java.util.List;

/**
 * How well continuations fit their primes, against a shuffled baseline: prime i is paired once with its
 * own continuation and once with the continuation made for prime i + 1 (a different song). A model that
 * listens to its prime scores higher on the matched pairs; one that ignores it scores the same on both.
 */
public final class Coherence {
    private Coherence() {}

    /**
     * Features of one piece of audio. {@code bpm} is NaN when the audio is too short for a tempo;
     * {@code motion} ({@link Chroma#motion} over {@link #MOTION_SEGMENT_S}) is NaN under one segment.
     */
    public record Features(double[] chroma, Chroma.EstimatedKey key, double bpm, double motion) {
        public Features(double[] chroma, Chroma.EstimatedKey key, double bpm) {
            this(chroma, key, bpm, Double.NaN);
        }

        public static Features of(float[] audio, int sampleRate) {
            double[] chroma = Chroma.of(audio, sampleRate);
            double bpm = audio.length >= TempoEstimator.minSeconds() * sampleRate
                    ? TempoEstimator.estimateBpm(audio, sampleRate) : Double.NaN;
            return new Features(chroma, Chroma.key(chroma), bpm, Chroma.motion(audio, sampleRate, MOTION_SEGMENT_S, chroma));
        }

        /** No spectral peak between 100 Hz and 2 kHz: silence, DC or noise. Its chroma correlates 0 with anything. */
        public boolean pitchless() {
            for (double c : chroma) {
                if (c != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Mean agreement of matched and shuffled pairs: chroma correlation (Pearson, −1..1), the fraction with
     * the same estimated key, the fraction whose tempi agree; tempo fields are NaN when any tempo is missing.
     */
    public record Scores(double chromaMatched, double chromaShuffled, double keyMatched, double keyShuffled,
                         double tempoMatched, double tempoShuffled, int pairs, int pitchless) {}

    /** Half a bar at 120 BPM: long enough for a chord's chroma, short enough to see it change. */
    public static final double MOTION_SEGMENT_S = 1.0;

    /** Mean {@link Features#motion} over the pieces that have one; NaN when none has. */
    public static double meanMotion(List<Features> pieces) {
        double sum = 0;
        int n = 0;
        for (Features f : pieces) {
            if (!Double.isNaN(f.motion())) {
                sum += f.motion();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Relative tempo tolerance, octave errors allowed. */
    public static final double TEMPO_TOLERANCE = 0.04;

    public static Scores score(List<Features> primes, List<Features> continuations) {
        int n = primes.size();
        if (n < 2 || continuations.size() != n) {
            throw new IllegalArgumentException("need at least two prime/continuation pairs, got " + n + "/"
                    + continuations.size());
        }
        double[] sum = new double[6];
        boolean tempo = true;
        int pitchless = 0;
        for (int i = 0; i < n; i++) {
            Features p = primes.get(i);
            Features own = continuations.get(i);
            Features other = continuations.get((i + 1) % n);
            pitchless += own.pitchless() ? 1 : 0;
            sum[0] += Chroma.correlation(p.chroma(), own.chroma());
            sum[1] += Chroma.correlation(p.chroma(), other.chroma());
            sum[2] += sameKey(p.key(), own.key()) ? 1 : 0;
            sum[3] += sameKey(p.key(), other.key()) ? 1 : 0;
            tempo &= !Double.isNaN(p.bpm()) && !Double.isNaN(own.bpm());
            if (tempo) {
                sum[4] += TempoEstimator.agree(p.bpm(), own.bpm(), TEMPO_TOLERANCE) ? 1 : 0;
                sum[5] += TempoEstimator.agree(p.bpm(), other.bpm(), TEMPO_TOLERANCE) ? 1 : 0;
            }
        }
        return new Scores(sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, tempo ? sum[4] / n : Double.NaN,
                tempo ? sum[5] / n : Double.NaN, n, pitchless);
    }

    /**
     * Continuations read against what the corpus composed rather than against estimates from the prime:
     * the fraction whose estimated tempo agrees with their own clip's composed tempo, and whose estimated key
     * is their clip's composed key; shuffled, the same against the next clip's. This does not lean on the
     * estimators' reading of the prime, which a model conditioned on that reading might merely echo.
     */
    public record Composed(double tempoMatched, double tempoShuffled, double keyMatched, double keyShuffled, int pairs) {}

    public static Composed againstComposed(List<Features> continuations, double[] composedBpm,
                                           List<Chroma.EstimatedKey> composedKeys) {
        int n = continuations.size();
        if (n < 2 || composedBpm.length != n || composedKeys.size() != n) {
            throw new IllegalArgumentException("need at least two continuations, each with its composed tempo and key");
        }
        double[] sum = new double[4];
        boolean tempo = true;
        for (int i = 0; i < n; i++) {
            Features own = continuations.get(i);
            Features other = continuations.get((i + 1) % n);
            tempo &= !Double.isNaN(own.bpm());
            if (tempo) {
                sum[0] += TempoEstimator.agree(composedBpm[i], own.bpm(), TEMPO_TOLERANCE) ? 1 : 0;
                sum[1] += TempoEstimator.agree(composedBpm[i], other.bpm(), TEMPO_TOLERANCE) ? 1 : 0;
            }
            sum[2] += sameKey(composedKeys.get(i), own.key()) ? 1 : 0;
            sum[3] += sameKey(composedKeys.get(i), other.key()) ? 1 : 0;
        }
        return new Composed(tempo ? sum[0] / n : Double.NaN, tempo ? sum[1] / n : Double.NaN, sum[2] / n, sum[3] / n, n);
    }

    static boolean sameKey(Chroma.EstimatedKey a, Chroma.EstimatedKey b) {
        return a.tonic() == b.tonic() && a.major() == b.major();
    }
}
