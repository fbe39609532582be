package dev.segue.bridge.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TransportTest {
    @Test
    void barsAndBeatsFollowTempoAndMeter() {
        Transport t = new Transport(48000, 120, 4, 4); // a beat is 24000 frames, a bar 96000
        assertEquals(96000, t.frameOfBar(1));
        Transport.Position p = t.at(96000 * 8 + 36000, true);
        assertEquals(8, p.bar());
        assertEquals(1.5, p.barBeat(), 1e-12);
        assertEquals(33.5, p.beat(), 1e-12);

        Transport sixEight = new Transport(44100, 180, 6, 8); // an eighth is 14700 frames
        assertEquals(6 * 14700, sixEight.frameOfBar(1));
        assertEquals(2, sixEight.at(6 * 14700 * 2 + 14699, false).bar());
    }

    @Test
    void noDriftOverHours() {
        Transport t = new Transport(44100, 97, 7, 8);
        long bar = 2000;
        Transport.Position p = t.at(t.frameOfBar(bar), true);
        assertEquals(bar, p.bar());
        assertEquals(0, p.barBeat(), 1 / t.framesPerBeat(), "within a frame of the bar line");
        assertEquals(bar - 1, t.at(t.frameOfBar(bar) - 1, true).bar(), "the frame before is still in the previous bar");
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Transport(48000, 0, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> new Transport(48000, 120, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> new Transport(48000, Double.NaN, 4, 4));
    }
}
