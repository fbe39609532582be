package dev.segue.engine.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A triad on a scale degree, parsed from a Roman numeral: upper case is major, lower case minor, a
 * trailing "o" diminished. The root is the scale degree of the key; the quality comes from the numeral,
 * so "V" in a minor key is the major dominant.
 */
public record Chord(String numeral, int root, int[] intervals) {

    public static Chord parse(String numeral, Key key) {
        boolean diminished = numeral.endsWith("o");
        String core = diminished ? numeral.substring(0, numeral.length() - 1) : numeral;
        int degree = switch (core.toUpperCase(Locale.ROOT)) {
            case "I" -> 0;
            case "II" -> 1;
            case "III" -> 2;
            case "IV" -> 3;
            case "V" -> 4;
            case "VI" -> 5;
            case "VII" -> 6;
            default -> throw new IllegalArgumentException("not a Roman numeral: " + numeral);
        };
        boolean major = Character.isUpperCase(core.charAt(0));
        int[] intervals = diminished ? new int[] {0, 3, 6} : major ? new int[] {0, 4, 7} : new int[] {0, 3, 7};
        return new Chord(numeral, key.pitchClass(degree), intervals);
    }

    public static List<Chord> progression(String numerals, Key key) {
        List<Chord> chords = new ArrayList<>();
        for (String n : numerals.trim().split("\\s+")) {
            chords.add(parse(n, key));
        }
        return chords;
    }

    /** Pitch classes of root, third and fifth. */
    public int[] pitchClasses() {
        int[] pcs = new int[intervals.length];
        for (int i = 0; i < pcs.length; i++) {
            pcs[i] = (root + intervals[i]) % 12;
        }
        return pcs;
    }

    public int fifth() {
        return (root + intervals[2]) % 12;
    }

    public boolean contains(int pitch) {
        int pc = Math.floorMod(pitch, 12);
        for (int p : pitchClasses()) {
            if (p == pc) {
                return true;
            }
        }
        return false;
    }

    /** The lowest MIDI note of this pitch class at or above {@code floor}. */
    public static int atOrAbove(int pitchClass, int floor) {
        return floor + Math.floorMod(pitchClass - floor, 12);
    }
}
