package dev.segue.bridge.app.audition;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.SourceDataLine;

/** The system's default output through a JavaSound {@link SourceDataLine}. */
public final class JavaSoundSink implements AudioSink {
    private SourceDataLine line;

    /**
     * Whether the default mixer can give a line for 16-bit stereo at 48 kHz right now; false on a machine
     * with no audio device (CI), where the app falls back to {@link NullSink}.
     */
    public static boolean available() {
        AudioFormat probe = new AudioFormat(48_000, 16, 2, true, false);
        try {
            SourceDataLine l = AudioSystem.getSourceDataLine(probe);
            l.open(probe);
            l.close();
            return true;
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            return false;
        }
    }

    @Override
    public synchronized void open(AudioFormat format, int bufferBytes) throws LineUnavailableException {
        close();
        try {
            SourceDataLine l = (SourceDataLine) AudioSystem.getLine(new DataLine.Info(SourceDataLine.class, format));
            l.open(format, bufferBytes);
            line = l;
        } catch (IllegalArgumentException e) {
            throw new LineUnavailableException("no output line for " + format + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized AudioFormat format() {
        return line == null ? null : line.getFormat();
    }

    @Override
    public void start() {
        SourceDataLine l = line;
        if (l != null) {
            l.start();
        }
    }

    @Override
    public int write(byte[] bytes, int offset, int len) {
        SourceDataLine l = line;
        return l == null ? 0 : l.write(bytes, offset, len);
    }

    @Override
    public void drain() {
        SourceDataLine l = line;
        if (l != null) {
            l.drain();
        }
    }

    @Override
    public void stop() {
        SourceDataLine l = line;
        if (l != null) {
            l.stop();
        }
    }

    @Override
    public void flush() {
        SourceDataLine l = line;
        if (l != null) {
            l.flush();
        }
    }

    @Override
    public String describe() {
        return "default audio output";
    }

    @Override
    public synchronized void close() {
        if (line != null) {
            line.close();
            line = null;
        }
    }
}
