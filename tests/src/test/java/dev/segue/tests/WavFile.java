package dev.segue.tests;

import dev.segue.protocol.wav.WavFormat;
import dev.segue.protocol.wav.WavReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A WAV file read whole through the project's reader ({@link WavReader}: integer PCM or float, plain or
 * WAVE_FORMAT_EXTENSIBLE, as hosts and stem writers produce them), its channels split apart and its sample
 * format kept, which is what the host tests compare and check.
 */
record WavFile(int rate, int channels, int bits, boolean floating, float[][] samples) {
    /** Longest file read: ten minutes at 48 kHz, far over any render or stem these tests make. */
    private static final long MAX_FRAMES = 600L * 48_000;

    int frames() {
        return samples[0].length;
    }

    static WavFile read(Path file) throws IOException {
        try (WavReader in = WavReader.open(file)) {
            WavFormat f = in.format();
            if (in.frames() > MAX_FRAMES) {
                throw new IOException(file + ": " + in.frames() + " frames, at most " + MAX_FRAMES + " read here");
            }
            float[] interleaved = in.read((int) in.frames());
            int n = (int) in.frames();
            float[][] out = new float[f.channels()][n];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < f.channels(); c++) {
                    out[c][i] = interleaved[i * f.channels() + c];
                }
            }
            return new WavFile(f.sampleRate(), f.channels(), f.bits(), f.floating(), out);
        }
    }
}
