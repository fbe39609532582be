package dev.segue.bridge.app.audition;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.LineUnavailableException;

/**
 * Where the audition player writes PCM: the shape of a JavaSound {@code SourceDataLine}, cut down to
 * what the player uses, so a machine with no sound card (CI, a headless box) or a test can stand in.
 *
 * <p>{@link #write} blocks until the bytes are queued, like a line; {@link #stop} and {@link #flush}
 * from another thread must make a blocked write return early, like a line.
 */
public interface AudioSink extends AutoCloseable {
    /** Opens (or re-opens) the sink for {@code format} with room for about {@code bufferBytes}. */
    void open(AudioFormat format, int bufferBytes) throws LineUnavailableException;

    /** The format the sink is open with, or null when closed. */
    AudioFormat format();

    void start();

    /** Queues {@code len} bytes; returns how many were taken (fewer only when stopped or flushed meanwhile). */
    int write(byte[] bytes, int offset, int len);

    /** Blocks until queued audio has been played (or the sink is stopped). */
    void drain();

    /** Pauses consumption; queued bytes stay until {@link #flush}. */
    void stop();

    /** Discards queued bytes. */
    void flush();

    /** A short human description, e.g. the device name or "no audio device". */
    String describe();

    @Override
    void close();
}
