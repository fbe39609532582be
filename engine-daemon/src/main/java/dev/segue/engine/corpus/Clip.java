package dev.segue.engine.corpus;

/**
 * One rendered clip: its spec, mono audio at {@code sampleRate}, loudness-normalised.
 *
 * @param gainDb the gain loudness normalisation applied
 */
public record Clip(SongSpec spec, int sampleRate, float[] audio, double gainDb) {

    /** The file name this clip is written under: unique per seed. */
    public String fileName() {
        return "clip-" + spec.seed() + ".wav";
    }

    public double rmsDb() {
        return Loudness.rmsDb(audio);
    }
}
