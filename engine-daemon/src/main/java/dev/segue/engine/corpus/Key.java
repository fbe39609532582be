package dev.segue.engine.corpus;

import java.util.Arrays;

/**
 * A key: tonic pitch class (0 = C) and mode. Minor is natural minor; a major V chord in minor (written
 * "V") brings the raised leading tone with it, as in harmonic minor, and the melody follows the chord.
 */
public record Key(int tonic, Mode mode) {
    public enum Mode {
        MAJOR(new int[] {0, 2, 4, 5, 7, 9, 11}),
        MINOR(new int[] {0, 2, 3, 5, 7, 8, 10});

        private final int[] steps;

        Mode(int[] steps) {
            this.steps = steps;
        }

        int step(int degree) {
            return steps[Math.floorMod(degree, 7)];
        }
    }

    private static final String[] NAMES = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};

    public Key {
        if (tonic < 0 || tonic > 11 || mode == null) {
            throw new IllegalArgumentException("key needs a tonic pitch class 0..11 and a mode");
        }
    }

    /** Pitch class of a scale degree (0-based, any integer; wraps by octaves). */
    public int pitchClass(int degree) {
        return (tonic + mode.step(degree)) % 12;
    }

    /** The seven scale pitch classes, ascending from the tonic. */
    public int[] scale() {
        int[] pcs = new int[7];
        for (int d = 0; d < 7; d++) {
            pcs[d] = pitchClass(d);
        }
        return pcs;
    }

    public boolean inScale(int pitch) {
        int pc = Math.floorMod(pitch, 12);
        return Arrays.stream(scale()).anyMatch(s -> s == pc);
    }

    public String tonicName() {
        return NAMES[tonic];
    }

    public static String pitchClassName(int pc) {
        return NAMES[Math.floorMod(pc, 12)];
    }

    @Override
    public String toString() {
        return tonicName() + (mode == Mode.MAJOR ? " major" : " minor");
    }
}
