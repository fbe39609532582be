package dev.segue.engine.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Receiver;
import javax.sound.midi.Sequence;
import javax.sound.midi.Soundbank;
import javax.sound.midi.Synthesizer;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;

/**
 * Renders a MIDI {@link Sequence} to mono float audio offline with JavaSound's software synthesizer
 * (Gervill) and a SoundFont, never through a sound card: the synthesizer is opened as a stream and read
 * as fast as it computes. Every event is queued with its timestamp before the first sample is read, and
 * each render uses a fresh synthesizer, so the same sequence always gives the same samples.
 *
 * <p>Gervill's stream API ({@code com.sun.media.sound.AudioSynthesizer.openStream}) is not exported by
 * java.desktop, so the JVM needs {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED} (the
 * launcher and the tests pass it). It is reached by reflection: {@code javac --release 17} cannot compile
 * against a non-exported JDK package.
 */
public final class GervillRenderer {
    public static final Path DEFAULT_SOUNDFONT = Path.of("/usr/share/sounds/sf2/FluidR3_GM.sf2");
    private static final String EXPORT_FLAG = "--add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED";
    private static final int FRAMES_PER_READ = 4096;

    private final Soundbank soundbank;
    private final Path soundfont;

    /** Parses the SoundFont once (FluidR3 is 148 MB); renders share it. */
    public GervillRenderer(Path soundfont) throws IOException {
        if (!Files.isRegularFile(soundfont)) {
            throw new IOException("no SoundFont at " + soundfont
                    + " (Debian: apt-get install fluid-soundfont-gm)");
        }
        try {
            this.soundbank = MidiSystem.getSoundbank(soundfont.toFile());
        } catch (InvalidMidiDataException e) {
            throw new IOException("not a SoundFont: " + soundfont, e);
        }
        this.soundfont = soundfont;
    }

    public Path soundfont() {
        return soundfont;
    }

    /**
     * @param startSeconds where in the sequence the returned audio starts
     * @param seconds length of the returned audio
     * @return mono samples (the mean of the synthesizer's two channels), {@code round(seconds * rate)} long
     */
    public float[] render(Sequence sequence, int sampleRate, double startSeconds, double seconds) throws IOException {
        return render(sequence, sampleRate, startSeconds, seconds, false);
    }

    /** As {@link #render}, both of the synthesizer's channels kept: interleaved left, right. */
    public float[] renderStereo(Sequence sequence, int sampleRate, double startSeconds, double seconds)
            throws IOException {
        return render(sequence, sampleRate, startSeconds, seconds, true);
    }

    private float[] render(Sequence sequence, int sampleRate, double startSeconds, double seconds, boolean stereo)
            throws IOException {
        if (sampleRate < 8000 || sampleRate > 192000) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " outside 8000..192000");
        }
        long skip = Math.round(startSeconds * sampleRate);
        long keep = Math.round(seconds * sampleRate);
        if (skip < 0 || keep < 1 || skip + keep > 600L * sampleRate) {
            throw new IllegalArgumentException("render window " + startSeconds + " s + " + seconds + " s out of range");
        }
        Synthesizer synth = newSynthesizer();
        try {
            AudioFormat format = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, sampleRate, 32, 2, 8, sampleRate, false);
            try (AudioInputStream stream = openStream(synth, format)) {
                if (!synth.loadAllInstruments(soundbank)) {
                    throw new IOException("the synthesizer refused the instruments of " + soundfont);
                }
                queue(sequence, synth.getReceiver());
                return read(stream, skip, (int) keep, stereo);
            }
        } catch (MidiUnavailableException e) {
            throw new IOException("synthesizer unavailable", e);
        } finally {
            synth.close();
        }
    }

    private static Synthesizer newSynthesizer() {
        try {
            return (Synthesizer) Class.forName("com.sun.media.sound.SoftSynthesizer").getConstructor().newInstance();
        } catch (ReflectiveOperationException | IllegalAccessError e) {
            throw new IllegalStateException("Gervill's SoftSynthesizer is not reachable; run java with " + EXPORT_FLAG, e);
        }
    }

    private static AudioInputStream openStream(Synthesizer synth, AudioFormat format) throws MidiUnavailableException {
        Map<String, Object> info = new HashMap<>();
        info.put("load default soundbank", false); // else it synthesises an emergency bank first
        info.put("interpolation", "cubic");
        info.put("max polyphony", 96);
        info.put("jitter correction", false);
        info.put("reverb", true);
        info.put("chorus", true);
        info.put("auto gain control", true);
        try {
            Method open = Class.forName("com.sun.media.sound.AudioSynthesizer")
                    .getMethod("openStream", AudioFormat.class, Map.class);
            return (AudioInputStream) open.invoke(synth, format, info);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof MidiUnavailableException m) {
                throw m;
            }
            throw new IllegalStateException("Gervill openStream failed", e.getCause());
        } catch (ReflectiveOperationException | IllegalAccessError e) {
            throw new IllegalStateException("Gervill's AudioSynthesizer.openStream is not reachable; run java with "
                    + EXPORT_FLAG, e);
        }
    }

    /** Sends every channel event with its time in microseconds, following the sequence's tempo map. */
    static void queue(Sequence sequence, Receiver receiver) {
        if (sequence.getDivisionType() != Sequence.PPQ) {
            throw new IllegalArgumentException("only PPQ sequences are rendered");
        }
        List<MidiEvent> events = new ArrayList<>();
        for (Track track : sequence.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                events.add(track.get(i));
            }
        }
        // Stable: events at one tick keep track order, so a program change precedes notes at tick 0.
        events.sort(Comparator.comparingLong(MidiEvent::getTick));
        double resolution = sequence.getResolution();
        double microsPerQuarter = 500_000;
        long lastTick = 0;
        double micros = 0;
        for (MidiEvent e : events) {
            micros += (e.getTick() - lastTick) * microsPerQuarter / resolution;
            lastTick = e.getTick();
            MidiMessage m = e.getMessage();
            if (m instanceof MetaMessage meta) {
                if (meta.getType() == 0x51 && meta.getData().length == 3) {
                    byte[] d = meta.getData();
                    microsPerQuarter = ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF);
                }
                continue;
            }
            receiver.send(m, Math.round(micros));
        }
    }

    private static float[] read(AudioInputStream stream, long skipFrames, int frames, boolean stereo) throws IOException {
        float[] mono = new float[stereo ? 2 * frames : frames];
        byte[] buffer = new byte[FRAMES_PER_READ * 8];
        long position = 0;
        int written = 0;
        long total = skipFrames + frames;
        while (position < total) {
            int want = (int) Math.min(FRAMES_PER_READ, total - position) * 8;
            int got = readFully(stream, buffer, want);
            if (got < want) {
                throw new IOException("synthesizer stream ended early at frame " + (position + got / 8));
            }
            ByteBuffer bb = ByteBuffer.wrap(buffer, 0, got).order(ByteOrder.LITTLE_ENDIAN);
            for (int f = 0; f < got / 8; f++, position++) {
                float left = bb.getFloat();
                float right = bb.getFloat();
                if (position >= skipFrames && stereo) {
                    mono[written++] = left;
                    mono[written++] = right;
                } else if (position >= skipFrames) {
                    mono[written++] = 0.5f * (left + right);
                }
            }
        }
        return mono;
    }

    private static int readFully(InputStream in, byte[] buffer, int length) throws IOException {
        int off = 0;
        while (off < length) {
            int n = in.read(buffer, off, length - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        return off;
    }
}
