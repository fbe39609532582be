package dev.segue.engine.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.Test;

/** The plans spread over the space the corpus promises, and the notes stay in key. */
class SongPlannerTest {
    @Test
    void plansCoverTemposKeysModesMetresAndStyles() {
        Set<Integer> tonics = new HashSet<>();
        Set<Key.Mode> modes = EnumSet.noneOf(Key.Mode.class);
        Set<Style> styles = EnumSet.noneOf(Style.class);
        int threeFour = 0;
        int minBpm = 999;
        int maxBpm = 0;
        Set<Integer> programs = new HashSet<>();
        for (long seed = 0; seed < 500; seed++) {
            SongSpec s = SongPlanner.plan(seed, 10);
            tonics.add(s.key().tonic());
            modes.add(s.key().mode());
            styles.add(s.style());
            threeFour += s.beatsPerBar() == 3 ? 1 : 0;
            minBpm = Math.min(minBpm, s.bpm());
            maxBpm = Math.max(maxBpm, s.bpm());
            programs.add(s.chordProgram());
            programs.add(s.leadProgram());
            assertTrue(s.bpm() >= 80 && s.bpm() <= 160, "tempo " + s.bpm());
        }
        assertEquals(12, tonics.size());
        assertEquals(2, modes.size());
        assertEquals(Style.values().length, styles.size());
        assertTrue(threeFour > 25 && threeFour < 150, "3/4 clips: " + threeFour + " of 500");
        assertTrue(minBpm <= 82 && maxBpm >= 155, minBpm + ".." + maxBpm);
        assertTrue(programs.size() > 30, "programs used: " + programs.size());
    }

    @Test
    void pitchedNotesStayInTheKey() {
        int inKey = 0;
        int total = 0;
        for (long seed = 0; seed < 100; seed++) {
            SongSpec spec = SongPlanner.plan(seed, 8);
            Sequence seq = Composer.compose(spec);
            for (Track track : seq.getTracks()) {
                for (int i = 0; i < track.size(); i++) {
                    MidiEvent e = track.get(i);
                    if (e.getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON
                            && m.getChannel() != Composer.DRUMS && m.getData2() > 0) {
                        total++;
                        int pc = Math.floorMod(m.getData1() - spec.key().tonic(), 12);
                        boolean leadingTone = spec.key().mode() == Key.Mode.MINOR && pc == 11;
                        inKey += spec.key().inScale(m.getData1()) || leadingTone ? 1 : 0;
                    }
                }
            }
        }
        // Only the bass's chromatic approach notes may leave the key.
        assertTrue(inKey > 0.97 * total, inKey + " of " + total + " notes in key");
    }

    @Test
    void neighbouringSeedsAreUnrelated() {
        SongSpec a = SongPlanner.plan(100, 10);
        SongSpec b = SongPlanner.plan(101, 10);
        assertTrue(a.bpm() != b.bpm() || !a.key().equals(b.key()) || a.style() != b.style());
    }
}
