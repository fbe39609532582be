package dev.segue.tests;

import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.nio.file.Path;

/** Primes for the cross-part tests. */
final class TestAudio {
    private TestAudio() {}

    /** A mono 16-bit WAV of a 220 Hz sine at about -12 dBFS. */
    static void writeSinePrime(Path file, int rate, int frames) throws IOException {
        float[] s = new float[frames];
        for (int i = 0; i < frames; i++) {
            s[i] = (int) (8000 * Math.sin(2 * Math.PI * 220 * i / rate)) / 32768f; // whole 16-bit steps: exact
        }
        WavWriter.write16(file, new PcmAudio(rate, 1, s));
    }
}
