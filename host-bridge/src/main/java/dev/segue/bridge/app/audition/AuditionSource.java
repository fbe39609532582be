package dev.segue.bridge.app.audition;

/**
 * Audio the player can audition: a take (or a preview) as interleaved floats.
 *
 * @param name    what the window calls it ("take 2"), for status lines
 * @param samples interleaved, {@code frames() * channels} long; read, never written, by the player
 */
public record AuditionSource(String name, int sampleRate, int channels, float[] samples) {
    public AuditionSource {
        if (sampleRate < 1 || channels < 1 || channels > 2 || samples.length % channels != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels at " + sampleRate + " Hz, "
                    + samples.length + " samples");
        }
    }

    public long frames() {
        return samples.length / channels;
    }
}
