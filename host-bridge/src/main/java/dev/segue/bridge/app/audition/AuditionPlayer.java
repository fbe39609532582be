package dev.segue.bridge.app.audition;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.LineUnavailableException;

/**
 * Plays one take at a time into an {@link AudioSink}, from a position, optionally looping. Choosing
 * another take while playing ({@link #select}) switches at the same position: that is the A/B
 * comparison, sample-aligned because the takes of a job share their start on the timeline.
 *
 * <p>One render thread per playback writes blocks of {@value #BLOCK_FRAMES} frames; the calls here only
 * change state under a lock and never wait on the audio device, so the EDT may call them. The playing
 * position is the next frame to be written (it leads what is heard by the sink's buffer, about
 * {@value #BUFFER_MILLIS} ms).
 */
public final class AuditionPlayer implements AutoCloseable {
    static final int BLOCK_FRAMES = 1024;
    static final int BUFFER_MILLIS = 100;

    /** Told about starts and stops, on the render thread or the caller's thread. */
    public interface Listener {
        void playing(boolean playing, String reason);
    }

    private final AudioSink sink;
    private final Object lock = new Object();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private AuditionSource current;
    private long position;
    private boolean loop;
    private boolean running;
    /** Bumped by every seek, so a block written across a seek does not move the position past it. */
    private long seeks;
    private Thread thread;

    public AuditionPlayer(AudioSink sink) {
        this.sink = sink;
    }

    public AudioSink sink() {
        return sink;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /**
     * Makes {@code take} the one heard. While playing, the switch happens at the next block, at the
     * same position; a shorter take than the position ends (or loops) at once.
     */
    public void select(AuditionSource take) {
        synchronized (lock) {
            current = take;
        }
    }

    public AuditionSource current() {
        synchronized (lock) {
            return current;
        }
    }

    public void setLoop(boolean on) {
        synchronized (lock) {
            loop = on;
        }
    }

    public boolean isLoop() {
        synchronized (lock) {
            return loop;
        }
    }

    /** Moves the playing position (frames from the take's start), clamped to the take. */
    public void seek(long frame) {
        synchronized (lock) {
            long max = current == null ? 0 : current.frames();
            position = Math.max(0, Math.min(max, frame));
            seeks++;
        }
    }

    public long position() {
        synchronized (lock) {
            return position;
        }
    }

    public boolean isPlaying() {
        synchronized (lock) {
            return running;
        }
    }

    /** Starts playing the selected take from the current position; does nothing without a take or when playing. */
    public void play() {
        synchronized (lock) {
            if (running || current == null) {
                return;
            }
            if (position >= current.frames()) {
                position = 0;
            }
            running = true;
            thread = new Thread(this::render, "segue-audition");
            thread.setDaemon(true);
            thread.start();
        }
        fire(true, "play");
    }

    /** Stops at once (queued audio is dropped); the position stays where it was, for the next play. */
    public void stop() {
        Thread t;
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
            thread = null;
        }
        sink.stop();
        // A render thread blocked in write() returns once the sink is flushed; flush until it is gone.
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (t != null && t.isAlive() && System.nanoTime() < deadline) {
            sink.flush();
            try {
                t.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sink.flush();
        fire(false, "stop");
    }

    @Override
    public void close() {
        stop();
        sink.close();
    }

    private void render() {
        byte[] block = new byte[0];
        String reason = "stop";
        try {
            while (true) {
                AuditionSource take;
                long from;
                long seeksSeen;
                int frames;
                synchronized (lock) {
                    if (!running || Thread.currentThread() != thread) {
                        return; // stop() reports
                    }
                    take = current;
                    if (position >= take.frames()) {
                        if (!loop) {
                            position = 0;
                            running = false;
                            thread = null;
                            reason = "end of " + take.name();
                            break;
                        }
                        position = 0;
                    }
                    from = position;
                    seeksSeen = seeks;
                    frames = (int) Math.min(BLOCK_FRAMES, take.frames() - from);
                }
                AudioFormat format = new AudioFormat(take.sampleRate(), 16, take.channels(), true, false);
                if (!format.matches(sinkFormat())) {
                    sink.open(format, Math.max(format.getFrameSize() * BLOCK_FRAMES * 2,
                            (int) (format.getFrameRate() * BUFFER_MILLIS / 1000) * format.getFrameSize()));
                }
                int bytes = frames * take.channels() * Pcm16.BYTES_PER_SAMPLE;
                if (block.length < bytes) {
                    block = new byte[bytes];
                }
                Pcm16.encode(take.samples(), take.channels(), from, frames, block);
                sink.start(); // idempotent; a stopped-and-replayed sink needs it
                int done = 0;
                while (done < bytes && isRunningThread()) {
                    done += sink.write(block, done, bytes - done);
                }
                synchronized (lock) {
                    if (seeks == seeksSeen && running) {
                        position = from + frames;
                    }
                }
            }
            sink.drain();
            synchronized (lock) {
                if (thread == null) { // not restarted meanwhile by a play() on another thread
                    sink.stop();
                }
            }
        } catch (LineUnavailableException | RuntimeException e) {
            synchronized (lock) {
                running = false;
                thread = null;
            }
            reason = "audio output failed: " + e.getMessage();
        }
        fire(false, reason);
    }

    private AudioFormat sinkFormat() {
        AudioFormat f = sink.format();
        return f == null ? new AudioFormat(1, 8, 1, true, false) : f;
    }

    private boolean isRunningThread() {
        synchronized (lock) {
            return running && Thread.currentThread() == thread;
        }
    }

    private void fire(boolean playing, String reason) {
        for (Listener l : listeners) {
            l.playing(playing, reason);
        }
    }
}
