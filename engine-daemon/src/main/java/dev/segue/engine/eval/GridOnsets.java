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
        if (!(bpm > 0) || !Double.isFinite(beatSeconds)) {
            throw new IllegalArgumentException("a grid needs a positive tempo and a finite beat time");
        }
        TempoEstimator.Onsets o = TempoEstimator.onsets(audio, sampleRate);
        double period = 60 / bpm;
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
