package dev.segue.engine.sampling;

import dev.segue.engine.analysis.TempoEstimator;
import dev.segue.engine.monitor.ForwardingMonitor;
import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.TempoWarp;

/**
 * The song's side of a prior with a fixed beat ({@link TempoWarp}): the grid a prime sent without a DAW's
 * tempo is stretched by, and previews brought back from the prior's tempo to the song's.
 */
final class SongTempo {
    private SongTempo() {}

    /**
     * The prime's measured beat as a grid (a four-beat bar counted from the first beat, as measured traits
     * count it), or null when it is too short for a tempo.
     */
    static PrimeTraits.Grid measured(float[] prime, int sampleRate, Runnable between) {
        if (prime.length < TempoEstimator.minSeconds() * sampleRate) {
            return null;
        }
        TempoEstimator.Beat beat = TempoEstimator.estimateBeat(prime, sampleRate, between);
        if (beat == null) {
            return null;
        }
        return new PrimeTraits.Grid(beat.bpm(), 4, 4 - beat.firstBeatSeconds() * beat.bpm() / 60);
    }

    /** The caller's monitor, with previews made at the prior's tempo stretched back to the song's. */
    static Monitor previews(Monitor monitor, TempoWarp warp, int rate) {
        return new ForwardingMonitor(monitor) {
            @Override
            public void preview(int candidate, long offset, float[] audio) {
                // Each chunk stretched on its own, as the DAW-rate previews are resampled: previews are rough.
                long from = Math.round(offset / warp.ratio());
                long to = Math.round((offset + audio.length) / warp.ratio());
                monitor.preview(candidate, from, warp.fromModel(audio, (int) (to - from), rate, () -> { }));
            }
        };
    }
}
