package dev.segue.protocol.wav;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAV codec against hand-built files ({@link TestWavs}), and its writer against its reader. */
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
        assertArrayEquals(new float[] {-0.5f / 32768f, (32767 - 32768) / 65536f, 0}, a.mono(), "channels averaged");
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
            try (WavReader r = WavReader.open(f)) {
                assertEquals(new WavFormat(48_000, 1, 24, false), r.format());
            }
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
    void readsUnsigned8BitSigned32BitAnd64BitFloat() throws IOException {
        Path u8 = dir.resolve("u8.wav");
        TestWavs.write(u8, TestWavs.PCM, 8, 8_000, 1, new byte[] {(byte) 128, 0, (byte) 255, 64});
        assertArrayEquals(new float[] {0, -1, 127 / 128f, -0.5f}, WavReader.read(u8, 60).samples());

        Path s32 = dir.resolve("s32.wav");
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MIN_VALUE).putInt(1 << 30).putInt(-1);
        TestWavs.write(s32, TestWavs.PCM, 32, 8_000, 1, b.array());
        assertArrayEquals(new float[] {-1, 0.5f, (float) (-1 / 2147483648.0)}, WavReader.read(s32, 60).samples());

        Path f64 = dir.resolve("f64.wav");
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.125).putDouble(-2.5);
        TestWavs.write(f64, TestWavs.FLOAT, 64, 8_000, 1, b.array());
        assertArrayEquals(new float[] {0.125f, -2.5f}, WavReader.read(f64, 60).samples());
    }

    @Test
    void skipsChunksItDoesNotKnow() throws IOException {
        Path f = dir.resolve("bext.wav");
        TestWavs.write16(f, 48_000, 1, new int[] {100, -200, 300});
        TestWavs.insertChunk(f, "bext", new byte[601]); // odd: padded
        TestWavs.insertChunk(f, "JUNK", new byte[28]);
        assertArrayEquals(new float[] {100 / 32768f, -200 / 32768f, 300 / 32768f}, WavReader.read(f, 60).samples());
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
        try (WavReader r = WavReader.open(quad)) {
            assertEquals(4, r.format().channels(), "a stream takes up to 8 channels");
            assertEquals(8, r.read(100).length);
        }

        Path many = dir.resolve("nine.wav");
        TestWavs.write16(many, 8_000, 9, new int[9]);
        e = assertThrows(IOException.class, () -> WavReader.open(many).close());
        assertTrue(e.getMessage().contains("9 channels"), e.getMessage());

        Path junk = dir.resolve("junk.wav");
        Files.writeString(junk, "not audio");
        e = assertThrows(IOException.class, () -> WavReader.read(junk, 60));
        assertTrue(e.getMessage().contains("not a RIFF/WAVE file"), e.getMessage());
    }

    @Test
    void damagedHeadersSayWhatIsWrong() throws IOException {
        Path good = dir.resolve("good.wav");
        TestWavs.write16(good, 8_000, 2, new int[] {1, 2, 3, 4});
        byte[] bytes = Files.readAllBytes(good);

        assertRefused(Arrays.copyOf(bytes, bytes.length - 2), "truncated");
        byte[] badAlign = bytes.clone();
        badAlign[32] = 3; // block align of 16-bit stereo is 4
        assertRefused(badAlign, "block align 3");
        byte[] pcm12 = bytes.clone();
        pcm12[34] = 12; // 12-bit samples
        assertRefused(pcm12, "unsupported sample format");
        byte[] alaw = bytes.clone();
        alaw[20] = 6; // format tag 6: A-law
        assertRefused(alaw, "format tag 6");
        byte[] noData = bytes.clone();
        noData[36] = 'x'; // the data chunk renamed: an unknown chunk that runs to the end
        assertRefused(noData, "no data chunk");
        assertRefused(Arrays.copyOf(bytes, 12), "no fmt chunk");
        byte[] hugeChunk = bytes.clone();
        ByteBuffer.wrap(hugeChunk).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0x7FFF_FFF0); // fmt says 2 GiB
        assertRefused(hugeChunk, "'fmt ' chunk says");
    }

    private void assertRefused(byte[] file, String reason) throws IOException {
        Path f = Files.write(dir.resolve("bad.wav"), file);
        IOException e = assertThrows(IOException.class, () -> WavReader.read(f, 60), reason);
        assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void streamsInPiecesAndSkips() throws IOException {
        int[] v = new int[2 * 70_000]; // stereo, more than one read buffer
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 7919) % 65536 - 32768;
        }
        Path f = dir.resolve("long.wav");
        TestWavs.write16(f, 44_100, 2, v);
        float[] whole = WavReader.read(f, 60).samples();
        try (WavReader r = WavReader.open(f)) {
            assertEquals(70_000, r.frames());
            assertArrayEquals(Arrays.copyOfRange(whole, 0, 2 * 1000), r.read(1000));
            r.skip(50_000);
            assertEquals(51_000, r.position());
            assertArrayEquals(Arrays.copyOfRange(whole, 2 * 51_000, 2 * 70_000), r.read(100_000), "fewer at the end");
            assertEquals(0, r.read(10).length, "nothing after the end");
        }
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
    void writes16BitExactlyForWholeStepsAndSilenceForNonFinite() throws IOException {
        float[] v = {0, 1 / 32768f, -1, 32767 / 32768f, -12345 / 32768f, Float.NaN, Float.POSITIVE_INFINITY, 2f};
        Path f = dir.resolve("s16.wav");
        long clipped = WavWriter.write16(f, new PcmAudio(16_000, 2, v));
        assertEquals(3, clipped, "NaN, +Inf and 2 are counted");
        PcmAudio back = WavReader.read(f, 60);
        assertEquals(2, back.channels());
        assertArrayEquals(new float[] {0, 1 / 32768f, -1, 32767 / 32768f, -12345 / 32768f, 0, 0, 32767 / 32768f},
                back.samples());
        assertEquals(44 + 2 * v.length, Files.size(f));
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

    @Test
    void refusesToWriteWhatIsNotAudio() {
        Path f = dir.resolve("x.wav");
        assertThrows(IllegalArgumentException.class, () -> WavWriter.write24(f, new PcmAudio(48_000, 2, new float[3])));
        assertThrows(IllegalArgumentException.class, () -> WavWriter.write24(f, new PcmAudio(0, 1, new float[3])));
        assertTrue(Files.notExists(f));
    }
}
