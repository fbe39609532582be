package dev.segue.engine.train;

import dev.segue.engine.audio.Resampler;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** A training set of mono tracks at the model's rate: a folder of the user's WAV files, downmixed and resampled. */
final class TrainingAudio {
    /** Bound per file: an hour at 48 kHz; longer files are cut (training samples windows anyway). */
    static final long MAX_FRAMES_PER_FILE = 3600L * 48_000;
    /** Bound on the whole set, in samples at the model rate (about 4 GB of floats at most). */
    static final long MAX_TOTAL_SAMPLES = 1L << 30;

    private TrainingAudio() {}

    /** Every {@code *.wav} under {@code dir} (sorted, so runs are reproducible), as mono at {@code rate}. */
    static List<float[]> loadFolder(Path dir, int rate) throws IOException {
        List<Path> files = files(dir);
        List<float[]> tracks = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            float[] mono = readMono(f, rate);
            total += mono.length;
            if (total > MAX_TOTAL_SAMPLES) {
                throw new IOException("training audio exceeds " + MAX_TOTAL_SAMPLES + " samples; use a smaller folder");
            }
            tracks.add(mono);
        }
        return tracks;
    }

    /** Every {@code *.wav} under {@code dir}, sorted: the order {@link #loadFolder} reads them in. */
    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase().endsWith(".wav"))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no .wav files under " + dir);
        }
        return files;
    }

    /** One WAV (PCM 8/16/24/32-bit or float) as mono at {@code rate}. */
    static float[] readMono(Path file, int rate) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             AudioInputStream in = AudioSystem.getAudioInputStream(raw)) {
            AudioFormat f = in.getFormat();
            AudioFormat.Encoding enc = f.getEncoding();
            int bits = f.getSampleSizeInBits();
            boolean pcm = enc.equals(AudioFormat.Encoding.PCM_SIGNED) || enc.equals(AudioFormat.Encoding.PCM_UNSIGNED);
            boolean flt = enc.equals(AudioFormat.Encoding.PCM_FLOAT) && (bits == 32 || bits == 64);
            if (!(pcm && (bits == 8 || bits == 16 || bits == 24 || bits == 32)) && !flt) {
                throw new IOException(file + ": unsupported WAV encoding " + f);
            }
            int channels = f.getChannels();
            int bytes = bits / 8;
            long frames = Math.min(in.getFrameLength() < 0 ? MAX_FRAMES_PER_FILE : in.getFrameLength(),
                    MAX_FRAMES_PER_FILE);
            byte[] data = in.readNBytes(Math.toIntExact(Math.min(frames * channels * bytes, Integer.MAX_VALUE - 8)));
            int n = data.length / (channels * bytes);
            ByteBuffer buf = ByteBuffer.wrap(data).order(f.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            float[] mono = new float[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += sample(buf, (i * channels + c) * bytes, bits, flt, enc.equals(AudioFormat.Encoding.PCM_UNSIGNED));
                }
                mono[i] = (float) (sum / channels);
            }
            int inRate = Math.round(f.getSampleRate());
            if (inRate <= 0) {
                throw new IOException(file + ": bad sample rate " + f.getSampleRate());
            }
            return Resampler.resample(mono, inRate, rate, Resampler.convertedLength(n, inRate, rate));
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(file + ": not a readable WAV (" + e.getMessage() + ")");
        }
    }

    private static double sample(ByteBuffer b, int at, int bits, boolean flt, boolean unsigned) {
        if (flt) {
            return bits == 32 ? b.getFloat(at) : b.getDouble(at);
        }
        return switch (bits) {
            case 8 -> unsigned ? ((b.get(at) & 0xff) - 128) / 128.0 : b.get(at) / 128.0;
            case 16 -> b.getShort(at) / 32768.0;
            case 24 -> {
                boolean be = b.order() == ByteOrder.BIG_ENDIAN;
                int b0 = b.get(at) & 0xff;
                int b1 = b.get(at + 1) & 0xff;
                int b2 = b.get(at + 2);
                int v = be ? (b0 << 16 | b1 << 8 | (b2 & 0xff)) : (b2 << 16 | b1 << 8 | b0);
                if (be) {
                    v = (v << 8) >> 8;
                }
                yield v / 8388608.0;
            }
            default -> b.getInt(at) / 2147483648.0;
        };
    }
}
