package dev.segue.engine.corpus;

import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;

/**
 * The training corpus: procedurally composed songs rendered with a General MIDI SoundFont. Clip {@code i}
 * of a corpus started at seed {@code s} is the clip of seed {@code s + i}, and a clip depends on its seed,
 * length and rate alone, so any clip can be made again on its own, in any order, on any thread.
 * Keep training and held-out seeds apart: training from {@link #TRAINING_SEED_BASE}, held-out from
 * {@link #HELD_OUT_SEED_BASE}.
 */
public final class CorpusGenerator {
    public static final long TRAINING_SEED_BASE = 0L;
    public static final long HELD_OUT_SEED_BASE = 1_000_000_000L;
    public static final int MAX_CLIPS = 1_000_000;

    private final GervillRenderer renderer;

    public CorpusGenerator(Path soundfont) throws IOException {
        this.renderer = new GervillRenderer(soundfont);
    }

    /** With the Debian fluid-soundfont-gm SoundFont (FluidR3_GM.sf2, MIT). */
    public static CorpusGenerator withDefaultSoundFont() throws IOException {
        return new CorpusGenerator(GervillRenderer.DEFAULT_SOUNDFONT);
    }

    /** The composed MIDI of a seed, for listening or inspection. */
    public static Sequence sequence(long seed, double seconds) {
        return Composer.compose(SongPlanner.plan(seed, seconds));
    }

    /** One clip: planned, composed, rendered and loudness-normalised. */
    public Clip clip(long seed, double seconds, int sampleRate) throws IOException {
        return render(SongPlanner.plan(seed, seconds), sampleRate);
    }

    /** The bundled demo prime: four bars of pop at 120 BPM in A minor, 8 s, from the first downbeat. */
    public Clip demoPrime(int sampleRate) throws IOException {
        return render(SongPlanner.demoPrime(), sampleRate);
    }

    public Clip render(SongSpec spec, int sampleRate) throws IOException {
        float[] audio = renderer.render(Composer.compose(spec), sampleRate, spec.offsetSeconds(), spec.seconds());
        double gain = Loudness.normalise(audio);
        return new Clip(spec, sampleRate, audio, gain);
    }

    /**
     * A stereo variant of a clip, for checking stereo takes (the corpus itself is mono): the same piece with
     * its parts panned (chords left, lead right, bass and drums in the middle) and rendered with both of
     * Gervill's channels (its stereo reverb and chorus included), scaled by the gain that normalises its mid.
     * Interleaved left, right.
     */
    public float[] stereoClip(long seed, double seconds, int sampleRate) throws IOException {
        SongSpec spec = SongPlanner.plan(seed, seconds);
        javax.sound.midi.Sequence sequence = Composer.compose(spec);
        try {
            javax.sound.midi.Track pans = sequence.getTracks()[0];
            int[][] channelPan = {{Composer.CHORDS, 24}, {Composer.BASS, 64}, {Composer.LEAD, 104}, {Composer.DRUMS, 64}};
            for (int[] cp : channelPan) {
                pans.add(new javax.sound.midi.MidiEvent(new javax.sound.midi.ShortMessage(
                        javax.sound.midi.ShortMessage.CONTROL_CHANGE, cp[0], 10, cp[1]), 0));
            }
        } catch (javax.sound.midi.InvalidMidiDataException e) {
            throw new IllegalStateException(e); // fixed, valid messages
        }
        float[] lr = renderer.renderStereo(sequence, sampleRate, spec.offsetSeconds(), spec.seconds());
        float[] mid = new float[lr.length / 2];
        for (int i = 0; i < mid.length; i++) {
            mid[i] = 0.5f * (lr[2 * i] + lr[2 * i + 1]);
        }
        float gain = (float) Math.pow(10, Loudness.normalise(mid) / 20);
        for (int i = 0; i < lr.length; i++) {
            lr[i] *= gain;
        }
        return lr;
    }

    /** Clips of seeds firstSeed, firstSeed + 1, ... made lazily one at a time (for a trainer that streams). */
    public Stream<Clip> clips(long firstSeed, int count, double seconds, int sampleRate) {
        checkCount(count);
        return LongStream.range(firstSeed, firstSeed + count).mapToObj(seed -> {
            try {
                return clip(seed, seconds, sampleRate);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Writes clips of seeds firstSeed .. firstSeed + count - 1 as 16-bit mono WAVs plus manifest.csv and
     * manifest.json into {@code outDir}, rendering on {@code threads} threads; the output does not depend on
     * the thread count.
     */
    public List<Map<String, Object>> generate(long firstSeed, int count, double seconds, int sampleRate, Path outDir,
                                              int threads) throws IOException {
        checkCount(count);
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads " + threads + " outside 1..64");
        }
        Files.createDirectories(outDir);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, Object>>> pending = new ArrayList<>();
            for (long seed = firstSeed; seed < firstSeed + count; seed++) {
                long s = seed;
                pending.add(pool.submit(() -> {
                    Clip c = clip(s, seconds, sampleRate);
                    WavWriter.write16(outDir.resolve(c.fileName()), new PcmAudio(sampleRate, 1, c.audio()));
                    return Manifest.row(c);
                }));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Future<Map<String, Object>> f : pending) {
                rows.add(f.get());
            }
            Manifest.write(outDir, rows);
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("rendering a clip failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes the composed MIDI of a spec, for checking a clip by ear in any MIDI player. */
    public static void writeMidi(SongSpec spec, Path file) throws IOException {
        MidiSystem.write(Composer.compose(spec), 1, file.toFile());
    }

    private static void checkCount(int count) {
        if (count < 1 || count > MAX_CLIPS) {
            throw new IllegalArgumentException("clip count " + count + " outside 1.." + MAX_CLIPS);
        }
    }
}
