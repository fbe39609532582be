package dev.segue.engine.audio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Writes mono float audio as a 16- or 24-bit PCM WAV through JavaSound, atomically (temp file, then rename). */
public final class WavWriter {
    private WavWriter() {}

    public static void writeMono24(Path target, float[] samples, int sampleRate) throws IOException {
        writeMono(target, samples, sampleRate, 3);
    }

    /** 16-bit: half the size of 24-bit, ample for training clips (96 dB of range). */
    public static void writeMono16(Path target, float[] samples, int sampleRate) throws IOException {
        writeMono(target, samples, sampleRate, 2);
    }

    private static void writeMono(Path target, float[] samples, int sampleRate, int bytes) throws IOException {
        byte[] pcm = new byte[samples.length * bytes];
        float full = bytes == 3 ? 8388607f : 32767f;
        for (int i = 0; i < samples.length; i++) {
            float s = Math.max(-1f, Math.min(1f, Float.isFinite(samples[i]) ? samples[i] : 0f));
            int v = Math.round(s * full);
            for (int b = 0; b < bytes; b++) {
                pcm[bytes * i + b] = (byte) (v >> (8 * b));
            }
        }
        AudioFormat format = new AudioFormat(sampleRate, 8 * bytes, 1, true, false);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), format, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, tmp.toFile());
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
