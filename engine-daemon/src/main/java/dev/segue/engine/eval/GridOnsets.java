package dev.segue.engine.eval;

import dev.segue.engine.analysis.TempoEstimator;

/**
 * How much of a continuation's rhythm lands on the DAW's beat grid: the share of its onset strength (the
 * tempo estimator's spectral flux, above its local mean) within {@link #TOLERANCE_S} of a beat. Music with
 * onsets on the beat scores high; onsets scattered at random score about 2 x tolerance / beat period
 * (0.12 at 120 BPM); music on another grid, or off by half a beat, scores low. Eighth and sixteenth notes
 * between the beats count against it, so a real continuation scores well below 1: read the model's share
 * against the true continuation's.
 */
public final class GridOnsets {
    private GridOnsets() {}

    public static final double TOLERANCE_S = 0.030;

    /**
     * @param bpm the grid's tempo (beats per minute)
     * @param beatSeconds the time of any one beat of the grid, relative to the audio's start (may be negative
     *     or past the end)
     * @return the share in [0, 1], NaN when the audio has no onsets (or is too short for a frame)
     */
    public static double share(float[] audio, int sampleRate, double bpm, double beatSeconds) {
        return byLag(audio, sampleRate, bpm, beatSeconds, 1)[0];
    }

    /**
     * The share against the grid moved later by each of {@code lags} equal fractions of a beat: entry k is the
     * share within {@link #TOLERANCE_S} of the beats moved by k / lags of a beat (entry 0 is {@link #share}).
     * Onsets placed at the right tempo but at a constant lag from the grid peak at that lag; onsets with no
     * pulse give a flat curve.
     */
    public static double[] byLag(float[] audio, int sampleRate, double bpm, double beatSeconds, int lags) {
        if (!(bpm > 0) || !Double.isFinite(beatSeconds)) {
            throw new IllegalArgumentException("a grid needs a positive tempo and a finite beat time");
        }
        if (lags < 1) {
            throw new IllegalArgumentException("lags must be at least 1, got " + lags);
        }
        TempoEstimator.Onsets o = TempoEstimator.onsets(audio, sampleRate);
        double period = 60 / bpm;
        double[] shares = new double[lags];
        for (int k = 0; k < lags; k++) {
            shares[k] = share(o, period, beatSeconds + k * period / lags);
        }
        return shares;
    }

    private static double share(TempoEstimator.Onsets o, double period, double beatSeconds) {
        double on = 0;
        double all = 0;
        for (int f = 0; f < o.strength().length; f++) {
            double t = f * o.frameSeconds() + o.leadSeconds();
            double d = Math.IEEEremainder(t - beatSeconds, period);
            all += o.strength()[f];
            if (Math.abs(d) <= TOLERANCE_S) {
                on += o.strength()[f];
            }
        }
        return all > 0 ? on / all : Double.NaN;
    }
}
