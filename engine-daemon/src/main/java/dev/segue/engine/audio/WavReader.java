package dev.segue.engine.audio;

import java.io.IOException;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** Reads a PCM WAV (8/16/24/32-bit integer or 32-bit float) as mono float: channels are averaged. */
public final class WavReader {
    private WavReader() {}

    /** Mono audio and its rate. */
    public record Audio(float[] samples, int sampleRate) {}

    /** Longest file accepted, in frames: ten minutes at 192 kHz. */
    private static final long MAX_FRAMES = 600L * 192_000;

    /** Every channel, interleaved, and the rate. */
    public record Channels(float[] interleaved, int channels, int sampleRate) {}

    /** As {@link #readMono}, the channels kept apart (interleaved). */
    public static Channels read(Path file) throws IOException {
        return (Channels) decode(file, false);
    }

    public static Audio readMono(Path file) throws IOException {
        return (Audio) decode(file, true);
    }

    private static Object decode(Path file, boolean mono) throws IOException {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat f = in.getFormat();
            int channels = f.getChannels();
            int bytes = f.getSampleSizeInBits() / 8;
            boolean isFloat = f.getEncoding() == AudioFormat.Encoding.PCM_FLOAT;
            boolean signed = f.getEncoding() == AudioFormat.Encoding.PCM_SIGNED;
            if (channels < 1 || !(isFloat && bytes == 4 || signed && bytes >= 2 && bytes <= 4
                    || f.getEncoding() == AudioFormat.Encoding.PCM_UNSIGNED && bytes == 1)) {
                throw new IOException(file + ": unsupported WAV encoding " + f);
            }
            long frames = in.getFrameLength();
            if (frames < 0 || frames > MAX_FRAMES) {
                throw new IOException(file + ": " + frames + " frames is outside 0.." + MAX_FRAMES);
            }
            byte[] data = in.readNBytes((int) (frames * f.getFrameSize()));
            int n = data.length / f.getFrameSize();
            boolean big = f.isBigEndian();
            if (!mono) {
                float[] all = new float[n * channels];
                for (int i = 0; i < all.length; i++) {
                    all[i] = (float) sample(data, i * bytes, bytes, big, isFloat);
                }
                return new Channels(all, channels, Math.round(f.getSampleRate()));
            }
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += sample(data, (i * channels + c) * bytes, bytes, big, isFloat);
                }
                out[i] = (float) (sum / channels);
            }
            return new Audio(out, Math.round(f.getSampleRate()));
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(file + " is not a WAV file JavaSound can read", e);
        }
    }

    private static double sample(byte[] d, int at, int bytes, boolean big, boolean isFloat) {
        if (bytes == 1) {
            return ((d[at] & 0xFF) - 128) / 128.0;
        }
        long v = 0;
        for (int b = 0; b < bytes; b++) {
            int index = big ? at + b : at + bytes - 1 - b;
            v = (v << 8) | (d[index] & 0xFF);
        }
        if (isFloat) {
            return Float.intBitsToFloat((int) v);
        }
        int shift = 64 - 8 * bytes;
        long signedValue = (v << shift) >> shift;
        return signedValue / (double) (1L << (8 * bytes - 1));
    }
}
