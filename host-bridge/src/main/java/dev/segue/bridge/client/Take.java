package dev.segue.bridge.client;

import java.util.Map;

/**
 * One finished candidate, reassembled from its result chunks.
 *
 * @param startSample timeline sample, at {@code sampleRate}, where the take's first frame belongs
 * @param seed        the uint64 seed that reproduces this take (print with {@link Long#toUnsignedString(long)})
 * @param samples     interleaved float32, {@code frames() * channels} long; owned by the caller
 */
public record Take(int candidate, int sampleRate, int channels, long startSample, long seed,
                   Map<String, String> metadata, float[] samples) {
    public int frames() {
        return samples.length / channels;
    }
}
