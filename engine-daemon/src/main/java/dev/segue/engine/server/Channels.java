package dev.segue.engine.server;

/** The models are mono: primes are averaged down to one channel and takes are copied up to the prime's. */
final class Channels {
    private Channels() {}

    static float[] mono(float[] interleaved, int channels) {
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
    static float[] spread(float[] mono, int channels) {
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
}
