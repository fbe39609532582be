package dev.segue.engine.train;

import dev.segue.engine.audio.Resampler;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavFormat;
import dev.segue.protocol.wav.WavReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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

    /** One WAV (PCM 8/16/24/32-bit or float, up to 8 channels) as mono at {@code rate}, cut at the bound. */
    static float[] readMono(Path file, int rate) throws IOException {
        try (WavReader in = WavReader.open(file)) {
            WavFormat f = in.format();
            int n = (int) Math.min(in.frames(), MAX_FRAMES_PER_FILE);
            float[] mono = new float[n];
            for (int at = 0; at < n; ) { // downmixed a block at a time: no interleaved copy of the whole file
                float[] block = new PcmAudio(f.sampleRate(), f.channels(), in.read(Math.min(1 << 16, n - at))).mono();
                System.arraycopy(block, 0, mono, at, block.length);
                at += block.length;
            }
            return Resampler.resample(mono, f.sampleRate(), rate, Resampler.convertedLength(n, f.sampleRate(), rate));
        }
    }
}
