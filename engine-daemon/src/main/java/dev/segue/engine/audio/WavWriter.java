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

/** Writes mono float audio as a 24-bit PCM WAV through JavaSound, atomically (temp file, then rename). */
public final class WavWriter {
    private WavWriter() {}

    public static void writeMono24(Path target, float[] samples, int sampleRate) throws IOException {
        byte[] pcm = new byte[samples.length * 3];
        for (int i = 0; i < samples.length; i++) {
            float s = Math.max(-1f, Math.min(1f, Float.isFinite(samples[i]) ? samples[i] : 0f));
            int v = Math.round(s * 8388607f);
            pcm[3 * i] = (byte) v;
            pcm[3 * i + 1] = (byte) (v >> 8);
            pcm[3 * i + 2] = (byte) (v >> 16);
        }
        AudioFormat format = new AudioFormat(sampleRate, 24, 1, true, false);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), format, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, tmp.toFile());
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
