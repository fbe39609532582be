package dev.segue.engine.prior;

import dev.segue.engine.audio.TimeStretch;

/**
 * One song's tempo and the tempo a prior with a fixed beat hears every song at ({@code beat_codes} in its
 * config): audio is stretched by {@link #ratio} on the way into the prior and back on the way out, so the
 * DAW's beat always spans the same number of codes.
 *
 * <p>Why: a small prior that must learn every tempo from 80 to 160 BPM places its onsets loosely and loses
 * the tempo over a long take. At one tempo the beat is a fixed distance in codes, and with a beat of one
 * attention block (64 codes) the strided-column attention of {@code attn_order} 2 links each code with the
 * codes exactly one, two, three beats back.
 *
 * <p>The song's tempo is first taken by octaves to within half an octave of the model's ({@link #fold}), so the
 * stretch never exceeds a factor of the square root of 2: a 60 BPM grid is heard as 120 BPM eighth notes. The
 * grid keeps its beats (quarter notes) and bar: only the seconds between them change.
 */
public record TempoWarp(double bpm, double modelBpm, double ratio) {
    public TempoWarp {
        if (!(bpm >= 20 && bpm <= 400) || !(modelBpm >= 20 && modelBpm <= 400)
                || !(ratio >= 1 / Math.sqrt(2) - 1e-9 && ratio <= Math.sqrt(2) + 1e-9)) {
            throw new IllegalArgumentException("tempo warp of " + bpm + " BPM to " + modelBpm + " BPM by " + ratio
                    + ": need tempi in 20..400 and a ratio within a half octave");
        }
    }

    /**
     * The model's tempo: one beat every {@code beatCodes} codes of {@code hop} samples at {@code sampleRate}
     * (117.1875 BPM for 64 codes of 128 samples at 16 kHz).
     */
    public static double modelBpm(int sampleRate, int hop, int beatCodes) {
        return 60.0 * sampleRate / ((double) beatCodes * hop);
    }

    /** The warp that plays a song at {@code bpm} at {@code modelBpm}, its tempo folded by octaves first. */
    public static TempoWarp of(double bpm, double modelBpm) {
        double folded = bpm * fold(bpm, modelBpm);
        return new TempoWarp(bpm, modelBpm, folded / modelBpm);
    }

    /** The power of 2 that takes {@code bpm} to within half an octave of {@code modelBpm}, [m/sqrt 2, m sqrt 2). */
    static double fold(double bpm, double modelBpm) {
        double factor = 1;
        double low = modelBpm / Math.sqrt(2);
        while (bpm * factor >= low * 2) {
            factor /= 2;
        }
        while (bpm * factor < low) {
            factor *= 2;
        }
        return factor;
    }

    /** The grid as the prior hears it: the same beats and bars, at the warped tempo. */
    public PrimeTraits.Grid modelGrid(PrimeTraits.Grid grid) {
        return new PrimeTraits.Grid(grid.bpm() / ratio, grid.beatsPerBar(), grid.originBeats());
    }

    /** Samples at the model's tempo for {@code frames} at the song's (rounded up, so none is ever short). */
    public long modelFrames(long frames) {
        return (long) Math.ceil(frames * ratio);
    }

    /** {@code audio} at the model's tempo. */
    public float[] toModel(float[] audio, int sampleRate, Runnable between) {
        return TimeStretch.stretch(audio, ratio, (int) Math.round(audio.length * ratio), sampleRate, between);
    }

    /** {@code frames} samples at the song's tempo of {@code audio} made at the model's. */
    public float[] fromModel(float[] audio, int frames, int sampleRate, Runnable between) {
        return TimeStretch.stretch(audio, 1 / ratio, frames, sampleRate, between);
    }
}
