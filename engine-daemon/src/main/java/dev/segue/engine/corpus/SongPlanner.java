package dev.segue.engine.corpus;

import java.util.List;
import java.util.Random;

/** Draws a {@link SongSpec} from a seed: style, tempo, key, progressions, figures, instruments. */
public final class SongPlanner {
    private SongPlanner() {}

    /** Diatonic loops that sound like songs; one chord per bar. */
    static final List<String> MAJOR_PROGRESSIONS = List.of(
            "I V vi IV", "I vi IV V", "vi IV I V", "I IV V IV", "ii V I I", "I iii IV V",
            "I IV vi V", "IV I V vi", "I V IV V", "I vi ii V", "I IV I V", "IV V iii vi");
    static final List<String> MINOR_PROGRESSIONS = List.of(
            "i VI III VII", "i iv v i", "i VII VI VII", "i iv VII III", "i VI iv V", "i iv V i",
            "i III VII iv", "i VII VI V", "iv i v i", "i VI VII i");

    /** Seeds are mixed first so that neighbouring seeds give unrelated clips. */
    static Random random(long seed, long salt) {
        return new Random(mix(seed ^ (salt * 0x9E3779B97F4A7C15L)));
    }

    /** SplitMix64's finaliser: a bijection on longs that scatters neighbouring seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static SongSpec plan(long seed, double seconds) {
        Random r = random(seed, 1);
        Style style = pickStyle(r);
        int bpm = style.minBpm + r.nextInt(style.maxBpm - style.minBpm + 1);
        Key key = new Key(r.nextInt(12), r.nextDouble() < 0.6 ? Key.Mode.MAJOR : Key.Mode.MINOR);
        List<String> progressions = key.mode() == Key.Mode.MAJOR ? MAJOR_PROGRESSIONS : MINOR_PROGRESSIONS;
        String a = progressions.get(r.nextInt(progressions.size()));
        String b = progressions.get(r.nextInt(progressions.size()));
        Style.Comp comp = style.comps.get(r.nextInt(style.comps.size()));
        Style.BassLine bass = style.basses.get(r.nextInt(style.basses.size()));
        int chordProgram = pick(r, style.chordPrograms);
        int bassProgram = pick(r, style.bassPrograms);
        int leadProgram = r.nextDouble() < 0.8 ? pick(r, style.leadPrograms) : -1;
        int kit = r.nextDouble() < 0.9 ? pick(r, style.kits) : -1;
        double bar = style.beatsPerBar * 60.0 / bpm;
        // Start one to two bars into the piece: the clip opens mid-phrase with notes already sounding.
        double offset = bar * (1 + r.nextDouble());
        return new SongSpec(seed, style, bpm, key, a, b, comp, bass, chordProgram, bassProgram, leadProgram, kit,
                offset, seconds);
    }

    /**
     * The bundled demo prime: one 4-bar pop loop at 120 BPM in A minor, from the first downbeat, exactly
     * four bars (8 s) long.
     */
    public static SongSpec demoPrime() {
        return new SongSpec(120_4L, Style.POP, 120, new Key(9, Key.Mode.MINOR), "i VI III VII", "i VI III VII",
                Style.Comp.ARPEGGIO, Style.BassLine.ROOT_FIFTH, 4, 33, 73, 0, 0.0, 8.0);
    }

    private static Style pickStyle(Random r) {
        int total = 0;
        for (Style s : Style.values()) {
            total += s.weight;
        }
        int x = r.nextInt(total);
        for (Style s : Style.values()) {
            x -= s.weight;
            if (x < 0) {
                return s;
            }
        }
        throw new AssertionError();
    }

    private static int pick(Random r, int[] choices) {
        return choices[r.nextInt(choices.length)];
    }
}
