package dev.segue.protocol.wav;

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

    /** The channels averaged, one sample a frame (a new array, also for mono). */
    public float[] mono() {
        int n = frames();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += samples[i * channels + c];
            }
            out[i] = (float) (sum / channels);
        }
        return out;
    }
}
