package dev.segue.bridge.app;

import dev.segue.protocol.message.Preview;
import java.util.Arrays;

/**
 * One candidate of a running job as its previews stream in: each chunk is written at its offset
 * (a later chunk replaces what it overlaps, as the spec says). Kept only for a glance, so at most
 * {@value #MAX_SECONDS} s are held; the finished take replaces it.
 */
final class PreviewTake {
    static final int MAX_SECONDS = 120;

    private final int sampleRate;
    private final int channels;
    private float[] samples = new float[0];
    private long frames;

    PreviewTake(int sampleRate, int channels) {
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    boolean accepts(Preview p) {
        return p.sampleRate() == sampleRate && p.audio().channels() == channels;
    }

    /** Writes the chunk; false if it lies beyond what a preview keeps. */
    boolean add(Preview p) {
        long end = p.offsetFrames() + p.audio().frames();
        if (end > (long) MAX_SECONDS * sampleRate) {
            return false;
        }
        int need = (int) (end * channels);
        if (need > samples.length) {
            samples = Arrays.copyOf(samples, Math.max(need, Math.min(samples.length * 2, MAX_SECONDS * sampleRate * channels)));
        }
        float[] chunk = p.audio().toArray();
        System.arraycopy(chunk, 0, samples, (int) (p.offsetFrames() * channels), chunk.length);
        frames = Math.max(frames, end);
        return true;
    }

    int sampleRate() {
        return sampleRate;
    }

    int channels() {
        return channels;
    }

    long frames() {
        return frames;
    }

    /** The frames so far, interleaved (a copy: the buffer keeps growing). */
    float[] samples() {
        return Arrays.copyOf(samples, (int) (frames * channels));
    }
}
