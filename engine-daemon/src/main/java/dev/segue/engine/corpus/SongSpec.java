package dev.segue.engine.corpus;

/**
 * Everything chosen for one clip before any note is written: the manifest row. The notes themselves are
 * composed from {@code seed} too, so the spec plus the seed reproduce the clip.
 *
 * @param progressionA Roman numerals of the A section, one chord per bar
 * @param progressionB Roman numerals of the B section (form A A B A)
 * @param leadProgram GM program of the melody, or -1 for no melody
 * @param drumKit GM drum kit, or -1 for no drums
 * @param offsetSeconds where the clip starts in the composed piece (the piece always starts on a downbeat)
 * @param seconds clip length
 */
public record SongSpec(long seed, Style style, int bpm, Key key, String progressionA, String progressionB,
                       Style.Comp comp, Style.BassLine bass, int chordProgram, int bassProgram, int leadProgram,
                       int drumKit, double offsetSeconds, double seconds) {

    public SongSpec {
        if (bpm < 40 || bpm > 240) {
            throw new IllegalArgumentException("tempo " + bpm + " BPM outside 40..240");
        }
        if (!(seconds > 0) || seconds > 600 || !(offsetSeconds >= 0) || offsetSeconds > 600) {
            throw new IllegalArgumentException("clip of " + seconds + " s at " + offsetSeconds + " s is out of range");
        }
    }

    public int beatsPerBar() {
        return style.beatsPerBar;
    }

    public String timeSignature() {
        return style.beatsPerBar + "/4";
    }

    public double barSeconds() {
        return style.beatsPerBar * 60.0 / bpm;
    }

    /** Whole bars composed: enough to cover the offset, the clip and a bar of release after it. */
    public int bars() {
        return (int) Math.ceil((offsetSeconds + seconds) / barSeconds()) + 1;
    }
}
