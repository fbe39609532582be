package dev.segue.bridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TakeNamesTest {

    @Test
    void namesSayClipBarTempoAndTake() {
        assertEquals("loop_bar005_120bpm_take1.wav", TakeNames.forClip("loop.wav", 5.0, 120).apply(0));
        assertEquals("my-loop-v2_bar017_92.5bpm_take16.wav", TakeNames.forClip("my loop (v2).flac", 17, 92.5).apply(15));
        assertEquals("x_bar004.50_174bpm_take2.wav", TakeNames.forClip("x", 4.5, 174).apply(1));
        assertEquals("clip_bar001_90bpm_take1.wav", TakeNames.forClip("../..", 1, 90).apply(0));
        assertEquals("j1-2_take3.wav", TakeNames.forJob("j1-2").apply(2));
        assertEquals(48, TakeNames.safe("a".repeat(300)).length());
    }

    @Test
    void aTakeIsNamedFromWhereTheDaemonPlacedIt() {
        // start_bar is 0-based on the wire; names count bars from 1, like a DAW's ruler
        assertEquals("j1-2_bar005_90bpm_take2.wav", TakeNames.forTake("j1-2", 1,
                java.util.Map.of("start_bar", "4.0000000001", "tempo_bpm", "90.0")));
        assertEquals("j1-2_take1.wav", TakeNames.forTake("j1-2", 0, java.util.Map.of("tempo_bpm", "90")));
        assertEquals("j1-2_take1.wav", TakeNames.forTake("j1-2", 0, java.util.Map.of("start_bar", "x", "tempo_bpm", "90")));
    }
}
