package dev.segue.tests;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Primes for the cross-part tests. */
final class TestAudio {
    private TestAudio() {}

    /** A mono 16-bit WAV of a 220 Hz sine at about -12 dBFS. */
    static void writeSinePrime(Path file, int rate, int frames) throws IOException {
        byte[] pcm = new byte[frames * 2];
        for (int i = 0; i < frames; i++) {
            int v = (int) (8000 * Math.sin(2 * Math.PI * 220 * i / rate));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), format, frames)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, new File(file.toString()));
        }
    }
}
