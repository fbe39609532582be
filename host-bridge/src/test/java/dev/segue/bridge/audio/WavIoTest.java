package dev.segue.bridge.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavIoTest {
    @TempDir
    Path dir;

    @Test
    void reads16BitStereo() throws IOException {
        int[] v = {0, -1, 32767, -32768, 16384, -16384};
        Path f = dir.resolve("a.wav");
        TestWavs.write16(f, 44_100, 2, v);
        PcmAudio a = WavReader.read(f, 60);
        assertEquals(44_100, a.sampleRate());
        assertEquals(2, a.channels());
        assertEquals(3, a.frames());
        assertArrayEquals(new float[] {0, -1 / 32768f, 32767 / 32768f, -1, 0.5f, -0.5f}, a.samples());
    }

    @Test
    void reads24BitMonoPlainAndExtensible() throws IOException {
        int[] v = {0, 1, -1, 8_388_607, -8_388_608, 4_194_304, -123_456};
        float[] expected = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            expected[i] = v[i] / 8_388_608f; // exact: 24-bit values fit a float mantissa
        }
        for (boolean extensible : new boolean[] {false, true}) {
            Path f = dir.resolve("b" + extensible + ".wav");
            TestWavs.write24(f, 48_000, 1, v, extensible); // 7 samples x 3 bytes: odd data chunk, padded
            PcmAudio a = WavReader.read(f, 60);
            assertEquals(1, a.channels());
            assertArrayEquals(expected, a.samples(), "extensible=" + extensible);
        }
    }

    @Test
    void readsFloatStereoBitExactly() throws IOException {
        float[] v = {0.25f, -0.75f, 1.5f, -0.0f, Float.MIN_VALUE, 1e-3f};
        Path f = dir.resolve("c.wav");
        TestWavs.writeFloat(f, 96_000, 2, v);
        PcmAudio a = WavReader.read(f, 60);
        assertEquals(96_000, a.sampleRate());
        assertArrayEquals(v, a.samples());
    }

    @Test
    void refusesTooLongAndTooManyChannels() throws IOException {
        Path longFile = dir.resolve("long.wav");
        TestWavs.write16(longFile, 8_000, 1, new int[8_001]);
        IOException e = assertThrows(IOException.class, () -> WavReader.read(longFile, 1));
        assertTrue(e.getMessage().contains("at most 1 s"), e.getMessage());

        Path quad = dir.resolve("quad.wav");
        TestWavs.write16(quad, 8_000, 4, new int[8]);
        e = assertThrows(IOException.class, () -> WavReader.read(quad, 60));
        assertTrue(e.getMessage().contains("mono or stereo"), e.getMessage());

        Path junk = dir.resolve("junk.wav");
        Files.writeString(junk, "not audio");
        assertThrows(IOException.class, () -> WavReader.read(junk, 60));
    }

    @Test
    void writes24BitThatReadsBackWithinHalfAStepAndClips() throws IOException {
        float[] v = {0.1f, -0.3f, 0.999999f, -1f, 1.5f, -2f, 1e-9f}; // mono, odd length
        Path f = dir.resolve("out.wav");
        long clipped = WavWriter.write24(f, new PcmAudio(22_050, 1, v));
        assertEquals(2, clipped, "1.5 and -2 are out of range; -1 is representable");
        PcmAudio back = WavReader.read(f, 60);
        assertEquals(22_050, back.sampleRate());
        assertEquals(v.length, back.frames());
        for (int i = 0; i < v.length; i++) {
            float want = Math.max(-1f, Math.min(8_388_607 / 8_388_608f, v[i]));
            assertEquals(want, back.samples()[i], 0.5 / 8_388_608 + 1e-12, "sample " + i);
        }
        assertEquals(44 + v.length * 3 + 1, Files.size(f), "odd data chunk gets its pad byte");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void float32IsWrittenBitForBit() throws IOException {
        Path f = dir.resolve("f.wav");
        float[] v = {0f, -0f, 1.5f, -2.25f, Float.MIN_VALUE, 0.1f, -1f, 1e-30f};
        WavWriter.writeFloat32(f, new PcmAudio(44100, 2, v));
        byte[] b = Files.readAllBytes(f);
        assertEquals(44 + 4 * v.length, b.length);
        assertEquals(3, b[20]); // WAVE_FORMAT_IEEE_FLOAT
        assertEquals(32, b[34]);
        PcmAudio back = WavReader.read(f, 1);
        assertEquals(44100, back.sampleRate());
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back.samples()[i]), "sample " + i);
        }
    }
}
