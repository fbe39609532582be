package dev.segue.bridge.app.audition;

/** Float samples to the 16-bit little-endian PCM every JavaSound output line takes. */
final class Pcm16 {
    private Pcm16() {}

    static final int BYTES_PER_SAMPLE = 2;

    /** Writes {@code frames} frames from {@code src} starting at frame {@code fromFrame} into {@code out}. */
    static void encode(float[] src, int channels, long fromFrame, int frames, byte[] out) {
        int base = Math.toIntExact(fromFrame * channels);
        int n = frames * channels;
        for (int i = 0; i < n; i++) {
            float s = src[base + i];
            // Clip: results may exceed [-1, 1] (the protocol allows any finite value).
            int q = Math.round(Math.max(-1f, Math.min(1f, s)) * 32767f);
            out[2 * i] = (byte) q;
            out[2 * i + 1] = (byte) (q >> 8);
        }
    }
}
