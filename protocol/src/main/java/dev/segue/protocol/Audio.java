package dev.segue.protocol;

import java.util.Arrays;

/**
 * Immutable interleaved float32 audio, as carried in a message's frame 1. A class rather than a
 * bare {@code float[]} so message records stay immutable and compare by content.
 * Samples must be finite (NaN/Inf is BAD_AUDIO); -0.0 and subnormals are kept bit-exact.
 */
public final class Audio {
    private final int channels;
    private final float[] samples;

    private Audio(int channels, float[] samples) {
        Check.range("channels", channels, 1, Bounds.MAX_CHANNELS);
        if (samples.length == 0 || samples.length % channels != 0) {
            throw Check.bad("audio", samples.length + " samples is not a positive whole number of "
                    + channels + "-channel frames");
        }
        for (int i = 0; i < samples.length; i++) {
            if (!Float.isFinite(samples[i])) {
                throw new ProtocolException(ErrorCode.BAD_AUDIO, "audio: sample " + i + " (frame " + i / channels
                        + ", channel " + i % channels + ") is " + samples[i]);
            }
        }
        this.channels = channels;
        this.samples = samples;
    }

    /** Audio from interleaved samples; the array is copied. */
    public static Audio of(int channels, float[] interleaved) {
        return new Audio(channels, interleaved.clone());
    }

    /** Takes ownership of a freshly decoded array without a copy (codec only). */
    static Audio wrap(int channels, float[] interleaved) {
        return new Audio(channels, interleaved);
    }

    /** The backing array, for the encoder only; never handed out. */
    float[] raw() {
        return samples;
    }

    public int channels() {
        return channels;
    }

    public int frames() {
        return samples.length / channels;
    }

    /** Number of samples (frames x channels). */
    public int length() {
        return samples.length;
    }

    public float sample(int frame, int channel) {
        return samples[frame * channels + channel];
    }

    /** A copy of the interleaved samples. */
    public float[] toArray() {
        return samples.clone();
    }

    @Override
    public boolean equals(Object o) {
        // Arrays.equals on float[] compares bit patterns (floatToIntBits), which is what the wire carries.
        return o instanceof Audio a && a.channels == channels && Arrays.equals(a.samples, samples);
    }

    @Override
    public int hashCode() {
        return 31 * channels + Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "Audio[" + channels + " ch, " + frames() + " frames]";
    }
}
