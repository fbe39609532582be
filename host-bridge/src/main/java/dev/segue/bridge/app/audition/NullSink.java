package dev.segue.bridge.app.audition;

import javax.sound.sampled.AudioFormat;

/**
 * A line with no device behind it: it consumes what is written at {@code speed} times real time (or
 * at once, for an infinite speed) and discards it. On a machine with no audio device the app auditions
 * through it, so the transport and playhead behave as they would, silently.
 */
public final class NullSink implements AudioSink {
    private final double speed;
    private AudioFormat format;
    private int bufferFrames;
    /** Frames written but not yet consumed, as of {@link #consumedAt}. */
    private long queued;
    private long consumedAt;
    private boolean started;
    private long flushes;

    /** @param speed consumption rate as a multiple of real time, positive; infinity consumes at once */
    public NullSink(double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive, got " + speed);
        }
        this.speed = speed;
    }

    @Override
    public synchronized void open(AudioFormat format, int bufferBytes) {
        this.format = format;
        this.bufferFrames = Math.max(1, bufferBytes / format.getFrameSize());
        queued = 0;
        started = false;
    }

    @Override
    public synchronized AudioFormat format() {
        return format;
    }

    @Override
    public synchronized void start() {
        settle();
        started = true;
        consumedAt = System.nanoTime();
        notifyAll();
    }

    @Override
    public synchronized int write(byte[] bytes, int offset, int len) {
        if (format == null) {
            return 0;
        }
        int frameSize = format.getFrameSize();
        long frames = len / frameSize;
        long written = 0;
        long flushSeen = flushes;
        while (written < frames) {
            settle();
            long room = bufferFrames - queued;
            if (room > 0) {
                long n = Math.min(room, frames - written);
                queued += n;
                written += n;
                continue;
            }
            if (flushes != flushSeen || (!started && room <= 0)) {
                break; // stopped with a full buffer, or flushed: a line returns early too
            }
            waitForRoom();
        }
        return (int) (written * frameSize);
    }

    @Override
    public synchronized void drain() {
        while (started && queued > 0) {
            waitForRoom();
            settle();
        }
    }

    @Override
    public synchronized void stop() {
        settle();
        started = false;
        notifyAll();
    }

    @Override
    public synchronized void flush() {
        queued = 0;
        flushes++;
        notifyAll();
    }

    @Override
    public String describe() {
        return "no audio device (silent audition)";
    }

    @Override
    public synchronized void close() {
        format = null;
        queued = 0;
        started = false;
        flushes++;
        notifyAll();
    }

    /** Consumes what real time (scaled) has played since the last call. */
    private void settle() {
        long now = System.nanoTime();
        if (started && format != null) {
            double frames = Double.isInfinite(speed) ? queued
                    : (now - consumedAt) * 1e-9 * format.getFrameRate() * speed;
            long consumed = (long) Math.min(queued, Math.floor(frames));
            if (consumed > 0 || queued == 0) {
                queued -= consumed;
                consumedAt = queued == 0 ? now : consumedAt + (long) (consumed / (format.getFrameRate() * speed) * 1e9);
            }
        } else {
            consumedAt = now;
        }
    }

    private void waitForRoom() {
        try {
            wait(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            flushes++; // treat as a flush: the writer gives up
        }
    }
}
