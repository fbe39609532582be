package dev.segue.bridge.app.audition;

import java.io.ByteArrayOutputStream;
import javax.sound.sampled.AudioFormat;

/**
 * A sink for tests: keeps every byte written, and takes at most {@link #allow} frames in all, so a test
 * decides when the player may run on (writes past the allowance block, as a full line does).
 */
final class CapturingSink implements AudioSink {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private AudioFormat format;
    private long allowedFrames = Long.MAX_VALUE;
    private boolean started;
    private long flushes;
    int opens;

    synchronized void allow(long frames) {
        allowedFrames = frames;
        notifyAll();
    }

    synchronized long capturedFrames() {
        return format == null ? 0 : captured.size() / format.getFrameSize();
    }

    synchronized byte[] captured() {
        return captured.toByteArray();
    }

    synchronized boolean started() {
        return started;
    }

    /** Waits until at least {@code frames} have been captured. */
    synchronized void awaitFrames(long frames, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (capturedFrames() < frames) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("only " + capturedFrames() + " of " + frames + " frames arrived");
            }
            wait(left);
        }
    }

    @Override
    public synchronized void open(AudioFormat f, int bufferBytes) {
        format = f;
        opens++;
    }

    @Override
    public synchronized AudioFormat format() {
        return format;
    }

    @Override
    public synchronized void start() {
        started = true;
    }

    @Override
    public synchronized int write(byte[] bytes, int offset, int len) {
        int frameSize = format.getFrameSize();
        int done = 0;
        long flushSeen = flushes;
        while (done < len) {
            long room = allowedFrames - capturedFrames();
            if (room > 0 && started) {
                int n = (int) Math.min(len - done, Math.min(room, Integer.MAX_VALUE) * frameSize);
                captured.write(bytes, offset + done, n);
                done += n;
                notifyAll();
            } else if (flushes != flushSeen || !started) {
                break; // like a line: a stopped or flushed line returns early
            } else {
                try {
                    wait(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return done;
    }

    @Override
    public void drain() {}

    @Override
    public synchronized void stop() {
        started = false;
        notifyAll();
    }

    @Override
    public synchronized void flush() {
        flushes++;
        notifyAll();
    }

    @Override
    public String describe() {
        return "capturing test sink";
    }

    @Override
    public synchronized void close() {
        format = null;
    }
}
