package dev.segue.engine.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Writes a {@link SongSpec} out as a General MIDI {@link Sequence}: chords (voice-led triads), bass (roots,
 * fifths, approach notes), a melody (chord tones on the beat, scale steps between) and drums on channel
 * 10. Form: sections of one progression pass each, A A B A repeating; a section's melody is written once
 * and played again each time the section returns, so clips carry repetition as real songs do.
 *
 * <p>One file of about 430 lines because the four parts are written against one another (the bass approaches
 * the next chord's root, the melody leans on the chord under it, the drums follow the section's form); split
 * by part, each would need the whole song state passed in.
 */
public final class Composer {
    private Composer() {}

    public static final int PPQ = 480;
    static final int STEP = PPQ / 4;
    static final int CHORDS = 0;
    static final int BASS = 1;
    static final int LEAD = 2;
    static final int DRUMS = 9;

    public static Sequence compose(SongSpec spec) {
        try {
            return new Writer(spec).write();
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException("composer built an invalid MIDI message", e);
        }
    }

    private static final class Writer {
        final SongSpec spec;
        final Style style;
        final Random random;
        final int steps;
        final Sequence sequence;
        final List<Chord> sectionA;
        final List<Chord> sectionB;
        int[] voicing;

        Writer(SongSpec spec) throws InvalidMidiDataException {
            this.spec = spec;
            this.style = spec.style();
            this.random = SongPlanner.random(spec.seed(), 2);
            this.steps = style.steps();
            this.sequence = new Sequence(Sequence.PPQ, PPQ);
            this.sectionA = Chord.progression(spec.progressionA(), spec.key());
            this.sectionB = Chord.progression(spec.progressionB(), spec.key());
        }

        Sequence write() throws InvalidMidiDataException {
            Track conductor = sequence.createTrack();
            int microsPerQuarter = 60_000_000 / spec.bpm();
            conductor.add(new MidiEvent(new MetaMessage(0x51, new byte[] {(byte) (microsPerQuarter >> 16),
                    (byte) (microsPerQuarter >> 8), (byte) microsPerQuarter}, 3), 0));
            conductor.add(new MidiEvent(new MetaMessage(0x58, new byte[] {(byte) spec.beatsPerBar(), 2, 24, 8}, 4), 0));
            Track chords = part(CHORDS, spec.chordProgram(), isPad(spec.chordProgram()) ? 72 : 84);
            Track bass = part(BASS, spec.bassProgram(), 104);
            Track lead = spec.leadProgram() >= 0 ? part(LEAD, spec.leadProgram(), 96) : null;
            Track drums = spec.drumKit() >= 0 ? part(DRUMS, spec.drumKit(), 100) : null;

            int bars = spec.bars();
            List<Note> melodyA = lead == null ? List.of() : melody(sectionA);
            List<Note> melodyB = lead == null ? List.of() : melody(sectionB);
            for (int bar = 0; bar < bars; bar++) {
                List<Chord> section = sectionOf(bar);
                int inSection = sectionBar(bar);
                Chord chord = section.get(inSection);
                Chord next = sectionOf(bar + 1).get(sectionBar(bar + 1));
                long barTick = (long) bar * steps * STEP;
                comp(chords, chord, barTick);
                bassLine(bass, chord, next, barTick);
                if (drums != null) {
                    drumBar(drums, bar, barTick);
                }
                if (lead != null) {
                    for (Note n : section == sectionA ? melodyA : melodyB) {
                        if (n.bar == inSection) {
                            note(lead, LEAD, n.pitch, n.velocity, barTick, n.step, n.length);
                        }
                    }
                }
            }
            return sequence;
        }

        private Track part(int channel, int program, int volume) throws InvalidMidiDataException {
            Track t = sequence.createTrack();
            t.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, channel, program, 0), 0));
            t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, channel, 7,
                    clamp(volume + random.nextInt(13) - 6, 40, 127)), 0));
            t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, channel, 91, 20 + random.nextInt(50)), 0));
            t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, channel, 93, random.nextInt(30)), 0));
            return t;
        }

        private static boolean isPad(int program) {
            return program >= 48 && program <= 55 || program >= 88 && program <= 95;
        }

        // ---- form ----

        private int sectionBar(int bar) {
            return bar % sectionA.size();
        }

        private List<Chord> sectionOf(int bar) {
            return (bar / sectionA.size()) % 4 == 2 ? sectionB : sectionA;
        }

        // ---- chords ----

        private void comp(Track t, Chord chord, long barTick) throws InvalidMidiDataException {
            int[] v = voiceLead(chord);
            switch (spec.comp()) {
                case SUSTAIN -> chord(t, v, 70, barTick, 0, steps);
                case QUARTERS -> {
                    for (int beat = 0; beat < spec.beatsPerBar(); beat++) {
                        chord(t, v, beat == 0 ? 84 : 70, barTick, beat * 4, 3);
                    }
                }
                case OFFBEAT -> {
                    for (int beat = 0; beat < spec.beatsPerBar(); beat++) {
                        chord(t, v, 76, barTick, beat * 4 + 2, 1);
                    }
                }
                case ARPEGGIO -> {
                    int[] tones = {v[0], v[1], v[2], v[0] + 12, v[2], v[1]};
                    for (int eighth = 0; eighth < steps / 2; eighth++) {
                        note(t, CHORDS, tones[eighth % tones.length], eighth == 0 ? 80 : 66, barTick, eighth * 2, 3);
                    }
                }
                case POWER_EIGHTHS -> {
                    int root = Chord.atOrAbove(chord.root(), 40);
                    int[] power = {root, root + 7, root + 12};
                    for (int eighth = 0; eighth < steps / 2; eighth++) {
                        chord(t, power, eighth % 2 == 0 ? 92 : 74, barTick, eighth * 2, 2);
                    }
                }
                case STABS -> {
                    String pattern = steps == 16 ? "x..x..x...x.x..." : "x..x..x.....";
                    for (int s = 0; s < steps; s++) {
                        if (pattern.charAt(s) == 'x') {
                            chord(t, v, s == 0 ? 90 : 78, barTick, s, 1);
                        }
                    }
                }
                case CHARLESTON -> {
                    chord(t, v, 80, barTick, 0, 2);
                    chord(t, v, 72, barTick, 6, 2);
                    if (steps == 16) {
                        chord(t, v, 68, barTick, 10, 2);
                    }
                }
                case WALTZ -> {
                    for (int beat = 1; beat < spec.beatsPerBar(); beat++) {
                        chord(t, v, 70, barTick, beat * 4, 3);
                    }
                }
            }
        }

        /** The close-position triad nearest (in total semitones moved) to the previous one, within 52..76. */
        private int[] voiceLead(Chord chord) {
            int[] pcs = chord.pitchClasses();
            int[] best = null;
            int bestCost = Integer.MAX_VALUE;
            for (int octave = 0; octave < 2; octave++) {
                for (int inversion = 0; inversion < 3; inversion++) {
                    int[] v = new int[3];
                    v[0] = Chord.atOrAbove(pcs[inversion], 52 + 12 * octave);
                    v[1] = Chord.atOrAbove(pcs[(inversion + 1) % 3], v[0] + 1);
                    v[2] = Chord.atOrAbove(pcs[(inversion + 2) % 3], v[1] + 1);
                    if (v[2] > 76) {
                        continue;
                    }
                    int cost = voicing == null ? Math.abs(v[1] - 62) * 3 + random.nextInt(4)
                            : Math.abs(v[0] - voicing[0]) + Math.abs(v[1] - voicing[1]) + Math.abs(v[2] - voicing[2]);
                    if (cost < bestCost) {
                        bestCost = cost;
                        best = v;
                    }
                }
            }
            voicing = best;
            return best;
        }

        // ---- bass ----

        private void bassLine(Track t, Chord chord, Chord next, long barTick) throws InvalidMidiDataException {
            int root = Chord.atOrAbove(chord.root(), 33);
            int fifth = root + ((chord.fifth() - chord.root() + 12) % 12);
            int nextRoot = Chord.atOrAbove(next.root(), 33);
            boolean four = steps == 16;
            switch (spec.bass()) {
                case ROOT_HALF -> {
                    if (four) {
                        note(t, BASS, root, 96, barTick, 0, 7);
                        note(t, BASS, random.nextDouble() < 0.3 ? fifth : root, 84, barTick, 8, 7);
                    } else {
                        note(t, BASS, root, 96, barTick, 0, 11);
                    }
                }
                case ROOT_FIFTH -> {
                    note(t, BASS, root, 98, barTick, 0, four ? 6 : 4);
                    note(t, BASS, fifth, 84, barTick, four ? 8 : 4, four ? 6 : 3);
                    if (!four) {
                        note(t, BASS, fifth, 80, barTick, 8, 3);
                    }
                }
                case EIGHTHS -> {
                    for (int eighth = 0; eighth < steps / 2; eighth++) {
                        boolean last = eighth == steps / 2 - 1;
                        int pitch = last && nextRoot != root ? approach(nextRoot) : root;
                        note(t, BASS, pitch, eighth % 2 == 0 ? 96 : 80, barTick, eighth * 2, 2);
                    }
                }
                case SYNCOPATED -> {
                    note(t, BASS, root, 100, barTick, 0, 5);
                    note(t, BASS, root, 84, barTick, 6, 2);
                    if (four) {
                        note(t, BASS, fifth, 86, barTick, 10, 2);
                        note(t, BASS, approach(nextRoot), 78, barTick, 14, 2);
                    } else {
                        note(t, BASS, fifth, 82, barTick, 8, 3);
                    }
                }
                case FUNK -> {
                    int[] at = four ? new int[] {0, 3, 6, 10, 12, 14} : new int[] {0, 3, 6, 8};
                    int[] pitch = four ? new int[] {root, root, root + 12, root, fifth, root + 12}
                            : new int[] {root, root, root + 12, fifth};
                    for (int i = 0; i < at.length; i++) {
                        note(t, BASS, pitch[i], i == 0 ? 104 : 88, barTick, at[i], 1);
                    }
                }
                case OFFBEAT -> {
                    for (int beat = 0; beat < spec.beatsPerBar(); beat++) {
                        note(t, BASS, root + (beat == spec.beatsPerBar() - 1 && random.nextBoolean() ? 12 : 0), 96,
                                barTick, beat * 4 + 2, 2);
                    }
                }
                case WALKING -> {
                    int third = root + ((chord.pitchClasses()[1] - chord.root() + 12) % 12);
                    int[] line = four ? new int[] {root, third, fifth, approach(nextRoot)}
                            : new int[] {root, third, approach(nextRoot)};
                    for (int beat = 0; beat < line.length; beat++) {
                        note(t, BASS, line[beat], beat == 0 ? 98 : 86, barTick, beat * 4, 4);
                    }
                }
            }
        }

        /** A note a half step or a scale step away from the next root, leading into it. */
        private int approach(int target) {
            int below = target - 1;
            int above = target + 1;
            int scaleBelow = spec.key().inScale(target - 2) ? target - 2 : target - 1;
            return switch (random.nextInt(3)) {
                case 0 -> below;
                case 1 -> above;
                default -> scaleBelow;
            };
        }

        // ---- drums ----

        private void drumBar(Track t, int bar, long barTick) throws InvalidMidiDataException {
            boolean phraseEnd = bar % 4 == 3;
            boolean fill = phraseEnd && random.nextDouble() < 0.5;
            int fillFrom = steps - 4;
            for (Drums.Line line : style.drums) {
                for (int s = 0; s < steps; s++) {
                    int velocity = line.velocity(s);
                    if (velocity == 0 || (fill && s >= fillFrom && line.note() != Drums.KICK)) {
                        continue;
                    }
                    note(t, DRUMS, line.note(), clamp(velocity + random.nextInt(13) - 6, 1, 127), barTick, s, 1);
                }
            }
            if (fill) {
                int[] fillNotes = random.nextBoolean() ? Drums.FILL : Drums.FILL_LOW;
                for (int i = 0; i < 4; i++) {
                    note(t, DRUMS, fillNotes[i], 90 + random.nextInt(20), barTick, fillFrom + i, 1);
                }
            }
            if (bar % 4 == 0 && bar > 0 && random.nextDouble() < 0.6) {
                note(t, DRUMS, Drums.CRASH, 100, barTick, 0, 4);
            }
        }

        // ---- melody ----

        private record Note(int bar, int step, int length, int pitch, int velocity) {}

        /** Rhythms of one bar as onset:length pairs in 16ths. */
        private static final String[] RHYTHMS_FOUR = {
            "0:4 4:4 8:4 12:4", "0:6 6:2 8:8", "0:2 2:2 4:4 8:2 10:2 12:4", "0:8 8:4 12:4", "2:2 4:2 6:2 8:8",
            "0:4 6:2 8:4 12:2 14:2", "0:12", "4:4 8:4", "0:3 3:3 6:2 8:4 12:4", "0:2 2:2 4:2 6:2 8:2 10:2 12:4"};
        private static final String[] RHYTHMS_THREE = {
            "0:4 4:4 8:4", "0:8 8:4", "0:6 6:2 8:4", "0:4 4:2 6:2 8:4", "0:12", "4:4 8:4", "0:2 2:2 4:4 8:4"};

        /**
         * One pass of a section: a two-bar rhythm motif stated, answered, then restated with a new last
         * bar; pitches are chord tones on the beat and scale steps between, avoiding scale tones a half step
         * from a chord tone (they clash).
         */
        private List<Note> melody(List<Chord> section) {
            String[] rhythms = steps == 16 ? RHYTHMS_FOUR : RHYTHMS_THREE;
            String[] motif = new String[4];
            motif[0] = rhythms[random.nextInt(rhythms.length)];
            motif[1] = rhythms[random.nextInt(rhythms.length)];
            motif[2] = motif[0];
            motif[3] = rhythms[random.nextInt(rhythms.length)];
            int low = spec.leadProgram() == 73 || spec.leadProgram() == 40 ? 67 : 62;
            int high = low + 17;
            int pitch = Chord.atOrAbove(section.get(0).pitchClasses()[random.nextInt(3)], low + 3);
            int direction = random.nextBoolean() ? 1 : -1;
            List<Note> notes = new ArrayList<>();
            for (int bar = 0; bar < section.size(); bar++) {
                Chord chord = section.get(bar);
                for (String event : motif[bar % 4].split(" ")) {
                    String[] parts = event.split(":");
                    int step = Integer.parseInt(parts[0]);
                    int length = Integer.parseInt(parts[1]);
                    if (step + length > steps) {
                        continue;
                    }
                    if (step % 4 == 0) {
                        pitch = nearestChordTone(chord, pitch, low, high, random.nextDouble() < 0.3);
                    } else {
                        if (random.nextDouble() < 0.3) {
                            direction = -direction;
                        }
                        pitch = scaleStep(chord, pitch, direction, low, high);
                        if (pitch <= low + 1 || pitch >= high - 1) {
                            direction = pitch <= low + 1 ? 1 : -1;
                        }
                    }
                    int velocity = (step == 0 ? 96 : 84) + random.nextInt(9) - 4;
                    notes.add(new Note(bar, step, length, pitch, velocity));
                }
            }
            return notes;
        }

        private int nearestChordTone(Chord chord, int from, int low, int high, boolean leap) {
            int best = from;
            int second = from;
            int bestDistance = Integer.MAX_VALUE;
            int secondDistance = Integer.MAX_VALUE;
            for (int p = low; p <= high; p++) {
                if (!chord.contains(p)) {
                    continue;
                }
                int d = Math.abs(p - from);
                if (d < bestDistance) {
                    second = best;
                    secondDistance = bestDistance;
                    best = p;
                    bestDistance = d;
                } else if (d < secondDistance) {
                    second = p;
                    secondDistance = d;
                }
            }
            return leap && secondDistance != Integer.MAX_VALUE ? second : best;
        }

        private int scaleStep(Chord chord, int from, int direction, int low, int high) {
            for (int p = from + direction; p >= low && p <= high; p += direction) {
                if (chord.contains(p) || spec.key().inScale(p) && !nearChordTone(chord, p)) {
                    return p;
                }
            }
            return from;
        }

        private static boolean nearChordTone(Chord chord, int pitch) {
            return chord.contains(pitch - 1) || chord.contains(pitch + 1);
        }

        // ---- events ----

        private void chord(Track t, int[] pitches, int velocity, long barTick, int step, int length)
                throws InvalidMidiDataException {
            for (int p : pitches) {
                note(t, CHORDS, p, velocity, barTick, step, length);
            }
        }

        /** A note on the 16th grid, swung where the style swings, a few ticks late or early like a player. */
        private void note(Track t, int channel, int pitch, int velocity, long barTick, int step, int length)
                throws InvalidMidiDataException {
            long start = barTick + swung(step) + random.nextInt(9) - 4;
            long end = barTick + swung(step + length) - STEP / 8;
            start = Math.max(0, start);
            end = Math.max(start + STEP / 4, end);
            int v = clamp(velocity + random.nextInt(9) - 4, 1, 127);
            t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, channel, clamp(pitch, 0, 127), v), start));
            t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, channel, clamp(pitch, 0, 127), 0), end));
        }

        /**
         * Tick of a 16th step within the bar after swing: 8th-note swing pushes the off-beat 8th late by
         * {@code swing} of a 16th (16th-note swing, at hip-hop tempos, does the same to every second 16th);
         * the positions in between are stretched linearly so order is kept.
         */
        private long swung(int step) {
            if (style.swing == 0) {
                return (long) step * STEP;
            }
            int unit = style == Style.HIPHOP ? 2 : 4;
            int cell = Math.floorDiv(step, unit);
            double within = step - cell * unit;
            double half = unit / 2.0;
            double pushed = half + style.swing * (unit / 4.0);
            double mapped = within < half ? within * pushed / half : pushed + (within - half) * (unit - pushed) / half;
            return Math.round((cell * unit + mapped) * STEP);
        }
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
