package dev.segue.engine.corpus;

import java.util.List;

/**
 * A groove family: tempo range, metre, swing, the drum pattern, which comping and bass figures suit it,
 * and the General MIDI programs (and drum kits) it draws from. Drum patterns are one bar of 16th-note
 * steps per drum: 'X' accent, 'x' normal, 'g' ghost, '.' rest.
 */
public enum Style {
    POP(96, 128, 4, 0.0, 3,
            List.of(Drums.line(36, "X.....x.X......."), Drums.line(38, "....X.......X..."), Drums.line(42, "xgxgxgxgxgxgxgxg")),
            List.of(Comp.QUARTERS, Comp.ARPEGGIO, Comp.SUSTAIN, Comp.OFFBEAT),
            List.of(BassLine.ROOT_FIFTH, BassLine.EIGHTHS, BassLine.SYNCOPATED),
            new int[] {0, 1, 4, 5, 24, 25, 48, 89, 11}, new int[] {33, 34, 38},
            new int[] {73, 80, 65, 11, 56, 40, 0, 22}, new int[] {0, 8}),
    ROCK(110, 160, 4, 0.0, 3,
            List.of(Drums.line(36, "X.....x.X.x....."), Drums.line(38, "....X.......X..."), Drums.line(42, "x.x.x.x.x.x.x.x.")),
            List.of(Comp.POWER_EIGHTHS, Comp.QUARTERS, Comp.SUSTAIN),
            List.of(BassLine.EIGHTHS, BassLine.ROOT_FIFTH),
            new int[] {29, 30, 27, 16, 18, 0}, new int[] {33, 34},
            new int[] {29, 30, 81, 18, 56}, new int[] {0, 16, 8}),
    FUNK(92, 116, 4, 0.0, 2,
            List.of(Drums.line(36, "X..x......x..x.."), Drums.line(38, "....X..g.g..X..g"), Drums.line(42, "xgxgXgxgxgxgXgxg")),
            List.of(Comp.STABS, Comp.OFFBEAT),
            List.of(BassLine.FUNK, BassLine.SYNCOPATED),
            new int[] {7, 4, 27, 16, 61}, new int[] {36, 33, 37},
            new int[] {65, 66, 56, 81, 7}, new int[] {0, 8}),
    DANCE(118, 130, 4, 0.0, 3,
            List.of(Drums.line(36, "X...X...X...X..."), Drums.line(39, "....x.......x..."), Drums.line(46, "..x...x...x...x."),
                    Drums.line(42, "g...g...g...g...")),
            List.of(Comp.OFFBEAT, Comp.SUSTAIN, Comp.STABS),
            List.of(BassLine.OFFBEAT, BassLine.EIGHTHS),
            new int[] {89, 90, 50, 4, 0, 62}, new int[] {38, 39, 87},
            new int[] {80, 81, 87, 84}, new int[] {24, 25, 0}),
    HIPHOP(80, 96, 4, 0.55, 2,
            List.of(Drums.line(36, "X......x..X....."), Drums.line(38, "....X.......X..."), Drums.line(42, "x.x.x.x.x.x.x.x.")),
            List.of(Comp.SUSTAIN, Comp.ARPEGGIO, Comp.QUARTERS),
            List.of(BassLine.SYNCOPATED, BassLine.ROOT_HALF),
            new int[] {4, 5, 0, 89, 11, 48}, new int[] {38, 33, 39},
            new int[] {11, 73, 4, 80}, new int[] {25, 24, 0}),
    BALLAD(80, 96, 4, 0.0, 2,
            List.of(Drums.line(36, "X.........x....."), Drums.line(37, "....x.......x..."), Drums.line(42, "x.x.x.x.x.x.x.x.")),
            List.of(Comp.ARPEGGIO, Comp.SUSTAIN, Comp.QUARTERS),
            List.of(BassLine.ROOT_HALF, BassLine.ROOT_FIFTH),
            new int[] {0, 48, 49, 89, 24, 4}, new int[] {33, 35, 32},
            new int[] {73, 40, 68, 71, 0, 65}, new int[] {0, 40, 8}),
    SHUFFLE(120, 160, 4, 0.65, 2,
            List.of(Drums.line(51, "x...x.x.x...x.x."), Drums.line(44, "....x.......x..."), Drums.line(36, "x.......x......."),
                    Drums.line(38, "......g.......g.")),
            List.of(Comp.CHARLESTON, Comp.QUARTERS),
            List.of(BassLine.WALKING),
            new int[] {0, 16, 26, 4}, new int[] {32, 33},
            new int[] {65, 66, 56, 57, 26}, new int[] {32, 40}),
    WALTZ(90, 160, 3, 0.0, 2,
            List.of(Drums.line(36, "X..........."), Drums.line(38, "....g...g..."), Drums.line(42, "x.x.x.x.x.x.")),
            List.of(Comp.WALTZ, Comp.ARPEGGIO),
            List.of(BassLine.ROOT_HALF, BassLine.ROOT_FIFTH),
            new int[] {0, 21, 24, 48, 46}, new int[] {32, 33},
            new int[] {40, 73, 71, 21, 68}, new int[] {0, 40, 32}),
    FOLK_THREE(84, 132, 3, 0.0, 1,
            List.of(Drums.line(36, "X.......x..."), Drums.line(37, "....x......."), Drums.line(42, "x.x.x.x.x.x.")),
            List.of(Comp.ARPEGGIO, Comp.QUARTERS, Comp.SUSTAIN),
            List.of(BassLine.ROOT_FIFTH, BassLine.ROOT_HALF),
            new int[] {24, 25, 46, 0, 21}, new int[] {32, 33},
            new int[] {73, 40, 22, 105, 71}, new int[] {0, 8, 40});

    final int minBpm;
    final int maxBpm;
    /** Beats (quarter notes) per bar. */
    final int beatsPerBar;
    /** How far the off-beat 8th (or 16th for hip-hop tempos) is pushed late, as a fraction of a 16th. */
    final double swing;
    /** Relative weight when a style is drawn for a clip. */
    final int weight;
    final List<Drums.Line> drums;
    final List<Comp> comps;
    final List<BassLine> basses;
    final int[] chordPrograms;
    final int[] bassPrograms;
    final int[] leadPrograms;
    /** GM drum kits (program numbers on channel 10): 0 standard, 8 room, 16 power, 24 electronic, 25 TR-808, 32 jazz, 40 brush. */
    final int[] kits;

    Style(int minBpm, int maxBpm, int beatsPerBar, double swing, int weight, List<Drums.Line> drums, List<Comp> comps,
          List<BassLine> basses, int[] chordPrograms, int[] bassPrograms, int[] leadPrograms, int[] kits) {
        this.minBpm = minBpm;
        this.maxBpm = maxBpm;
        this.beatsPerBar = beatsPerBar;
        this.swing = swing;
        this.weight = weight;
        this.drums = drums;
        this.comps = comps;
        this.basses = basses;
        this.chordPrograms = chordPrograms;
        this.bassPrograms = bassPrograms;
        this.leadPrograms = leadPrograms;
        this.kits = kits;
    }

    /** 16th-note steps per bar. */
    int steps() {
        return beatsPerBar * 4;
    }

    /** How the chord instrument plays each chord. */
    public enum Comp { SUSTAIN, QUARTERS, OFFBEAT, ARPEGGIO, POWER_EIGHTHS, STABS, CHARLESTON, WALTZ }

    /** The bass figure under each chord. */
    public enum BassLine { ROOT_HALF, ROOT_FIFTH, EIGHTHS, SYNCOPATED, FUNK, OFFBEAT, WALKING }
}
