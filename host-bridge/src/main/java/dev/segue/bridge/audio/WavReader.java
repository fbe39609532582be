package dev.segue.bridge.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Reads a WAV (or anything JavaSound opens) into interleaved floats: signed PCM of 8 to 32 bits,
 * unsigned 8-bit PCM, or 32/64-bit float; mono or stereo. JavaSound does the RIFF parsing
 * (including WAVE_FORMAT_EXTENSIBLE, which DAWs write for 24-bit); the conversion is ours because
 * JavaSound's own converters do not produce float.
 */
public final class WavReader {
    private WavReader() {}

    /**
     * @param maxSeconds refuse longer files before reading them into memory (a prime is at most 60 s)
     * @throws IOException with a reason a user can act on, for unreadable or unsupported files
     */
    public static PcmAudio read(Path file, double maxSeconds) throws IOException {
        AudioInputStream in;
        try {
            in = AudioSystem.getAudioInputStream(file.toFile());
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(file + ": not a WAV file JavaSound can read (" + e.getMessage() + ")", e);
        }
        try (in) {
            AudioFormat f = in.getFormat();
            int channels = f.getChannels();
            if (channels < 1 || channels > 2) {
                throw new IOException(file + ": " + channels + " channels, only mono or stereo can be a prime");
            }
            float rate = f.getSampleRate();
            if (rate != Math.rint(rate) || rate < 1) {
                throw new IOException(file + ": sample rate " + rate + " is not a whole number of Hz");
            }
            SampleDecoder decoder = SampleDecoder.of(f);
            if (decoder == null) {
                throw new IOException(file + ": unsupported sample format " + f
                        + " (use 8/16/24/32-bit PCM or 32/64-bit float)");
            }
            long frames = in.getFrameLength();
            if (frames == AudioSystem.NOT_SPECIFIED) {
                throw new IOException(file + ": length not specified in the header");
            }
            if (frames > maxSeconds * rate) {
                throw new IOException(String.format(java.util.Locale.ROOT, "%s: %.2f s long, at most %.0f s allowed",
                        file, frames / rate, maxSeconds));
            }
            byte[] bytes = readFully(in, Math.toIntExact(frames * f.getFrameSize()));
            float[] samples = new float[Math.toIntExact(frames * channels)];
            decoder.decode(bytes, samples);
            return new PcmAudio((int) rate, channels, samples);
        }
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length != length) {
            throw new IOException("file is truncated: " + b.length + " of " + length + " bytes of audio");
        }
        return b;
    }

    /** Bytes of one sample format to floats in [-1, 1). */
    private record SampleDecoder(int bytesPerSample, boolean bigEndian, Kind kind) {
        enum Kind { SIGNED, UNSIGNED, FLOAT }

        static SampleDecoder of(AudioFormat f) {
            int bits = f.getSampleSizeInBits();
            if (bits % 8 != 0 || f.getFrameSize() != bits / 8 * f.getChannels()) {
                return null;
            }
            AudioFormat.Encoding e = f.getEncoding();
            Kind kind;
            if (AudioFormat.Encoding.PCM_SIGNED.equals(e) && bits >= 8 && bits <= 32) {
                kind = Kind.SIGNED;
            } else if (AudioFormat.Encoding.PCM_UNSIGNED.equals(e) && bits == 8) {
                kind = Kind.UNSIGNED;
            } else if (AudioFormat.Encoding.PCM_FLOAT.equals(e) && (bits == 32 || bits == 64)) {
                kind = Kind.FLOAT;
            } else {
                return null;
            }
            return new SampleDecoder(bits / 8, f.isBigEndian(), kind);
        }

        void decode(byte[] in, float[] out) {
            int n = bytesPerSample;
            double scale = 1.0 / (1L << (8 * n - 1)); // full scale of a signed n-byte integer
            for (int i = 0, p = 0; i < out.length; i++, p += n) {
                long raw = 0;
                for (int k = 0; k < n; k++) {
                    int b = in[p + (bigEndian ? k : n - 1 - k)] & 0xFF;
                    raw = (raw << 8) | b;
                }
                out[i] = switch (kind) {
                    // Shift left then arithmetic-right to sign-extend an n-byte value.
                    case SIGNED -> (float) (((raw << (64 - 8 * n)) >> (64 - 8 * n)) * scale);
                    case UNSIGNED -> (raw - 128) / 128f;
                    case FLOAT -> n == 4 ? Float.intBitsToFloat((int) raw) : (float) Double.longBitsToDouble(raw);
                };
            }
        }
    }
}
