package dev.segue.engine.server;

import dev.segue.engine.audio.StereoImage;
import java.util.function.UnaryOperator;

/**
 * The models are mono: primes are averaged down to one channel, and a take comes back with the prime's
 * channels: with the prime's stereo image ({@link StereoImage}) for a stereo prime that has one, else the same
 * signal on every channel. The lone daemon and the cluster's workers both use this, so a take is the same
 * whichever made it.
 */
public final class Channels {
    private Channels() {}

    public static float[] mono(float[] interleaved, int channels) {
        if (channels == 1) {
            return interleaved;
        }
        float[] mono = new float[interleaved.length / channels];
        for (int i = 0; i < mono.length; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += interleaved[i * channels + c];
            }
            mono[i] = sum / channels;
        }
        return mono;
    }

    /** The same mono signal on each of {@code channels} channels, interleaved. */
    public static float[] spread(float[] mono, int channels) {
        if (channels == 1) {
            return mono;
        }
        float[] out = new float[mono.length * channels];
        for (int i = 0; i < mono.length; i++) {
            for (int c = 0; c < channels; c++) {
                out[i * channels + c] = mono[i];
            }
        }
        return out;
    }

    /**
     * How a job's mono takes become {@code channels} channels: with the stereo image of {@code interleaved} (the
     * prime, or the take an extension continues) and {@code before} (that audio's downmix) as the take's past.
     * The image is measured when this is called, so call it where that work belongs (the job thread).
     */
    public static UnaryOperator<float[]> toChannels(float[] interleaved, int channels, int rate, float[] before) {
        StereoImage image = channels == 2 ? StereoImage.measure(interleaved, channels, rate) : null;
        return image == null ? take -> spread(take, channels) : take -> image.render(take, before);
    }
}
