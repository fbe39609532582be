package dev.segue.engine.corpus;

/** General MIDI percussion on channel 10: one-bar step patterns and the fill played into a new phrase. */
final class Drums {
    private Drums() {}

    static final int KICK = 36;
    static final int SNARE = 38;
    static final int CRASH = 49;
    static final int TOM_HIGH = 50;
    static final int TOM_MID = 47;
    static final int TOM_LOW = 45;

    /** One drum's pattern over one bar of 16th steps. */
    record Line(int note, String steps) {
        Line {
            if (!steps.matches("[Xxg.]+") || (steps.length() != 12 && steps.length() != 16)) {
                throw new IllegalArgumentException("drum line must be 12 or 16 steps of X x g . : " + steps);
            }
        }

        /** MIDI velocity at a step, 0 for a rest. */
        int velocity(int step) {
            return switch (steps.charAt(step)) {
                case 'X' -> 112;
                case 'x' -> 88;
                case 'g' -> 46;
                default -> 0;
            };
        }
    }

    static Line line(int note, String steps) {
        return new Line(note, steps);
    }

    /** Fill over the last beat of a bar: snare, then toms down. Indexed by 16th step within that beat. */
    static final int[] FILL = {SNARE, SNARE, TOM_HIGH, TOM_MID};
    static final int[] FILL_LOW = {TOM_HIGH, TOM_MID, TOM_LOW, TOM_LOW};
}
