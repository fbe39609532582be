package dev.segue.engine.lyrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LyricWindowTest {
    private static final long SR = 44100;

    /** 200 distinct tokens, so a window's tokens say exactly where in the song they came from. */
    private static int[] song(int length) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = i + 1;
        }
        return t;
    }

    @Test
    void theWindowMovesThroughTheLyricsWithTheOffset() {
        int[] full = song(200);
        long total = 100 * SR;
        long window = 10 * SR;
        // Start of the song: the midpoint clamps to n/2, so the first 32 tokens.
        assertArrayEquals(Arrays.copyOfRange(full, 0, 32), LyricWindow.tokens(full, 32, total, 0, window));
        // Window [50 s, 60 s): centre 55% of the song, midpoint floor(200 * 0.55) = 110, tokens 94..125.
        assertArrayEquals(Arrays.copyOfRange(full, 94, 126), LyricWindow.tokens(full, 32, total, 50 * SR, window));
        // Later windows move on, never backwards.
        int previous = -1;
        for (long offset = 0; offset < total; offset += 5 * SR) {
            int first = LyricWindow.firstIndex(full.length, 32, total, offset, window);
            assertTrue(first >= previous, "offset " + offset);
            previous = first;
        }
        // End of the song: pinned to the last 32 tokens.
        assertArrayEquals(Arrays.copyOfRange(full, 168, 200), LyricWindow.tokens(full, 32, total, 95 * SR, window));
        assertEquals(168, previous);
    }

    @Test
    void shortLyricsArePaddedAtTheFrontWhateverTheOffset() {
        int[] full = song(5);
        int[] expected = {0, 0, 0, 1, 2, 3, 4, 5};
        assertArrayEquals(expected, LyricWindow.tokens(full, 8, 60 * SR, 0, 10 * SR));
        assertArrayEquals(expected, LyricWindow.tokens(full, 8, 60 * SR, 50 * SR, 10 * SR));
        assertArrayEquals(new int[8], LyricWindow.tokens(new int[0], 8, 60 * SR, 0, 10 * SR));
    }

    @Test
    void midpointUsesFloat32ArithmeticInTheReferenceOrder() {
        // 1000 tokens, total 3 samples, offset 1, window 1: centre 1.5 / 3 = 0.5 exactly, midpoint 500.
        assertEquals(500 - 4, LyricWindow.firstIndex(1000, 8, 3, 1, 1));
        // A window where float32 and float64 disagree: float64 gives midpoint 1609, the reference's float32 1610.
        assertEquals(1610 - 4, LyricWindow.firstIndex(3000, 8, 15625439L, 7992436L, 786432L));
    }

    @Test
    void invalidWindowsAreRefused() {
        int[] full = song(100);
        assertThrows(IllegalArgumentException.class, () -> LyricWindow.tokens(full, 8, 60 * SR, 60 * SR, SR));
        assertThrows(IllegalArgumentException.class, () -> LyricWindow.tokens(full, 8, 60 * SR, -1, SR));
        assertThrows(IllegalArgumentException.class, () -> LyricWindow.tokens(full, 7, 60 * SR, 0, SR));
    }
}
