package dev.segue.bridge.audio;

/**
 * Audio read from or written to a file: interleaved float samples, nominal range [-1, 1].
 *
 * @param samples {@code frames() * channels} interleaved samples (L0 R0 L1 R1 ...)
 */
public record PcmAudio(int sampleRate, int channels, float[] samples) {
    public int frames() {
        return samples.length / channels;
    }

    public double seconds() {
        return frames() / (double) sampleRate;
    }
}
